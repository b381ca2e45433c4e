// The spec's decision (policy.md 4.3-4.5), written independently of the generator, for differential tests.
import { globMatches, type ResolvedPolicy } from "@cordon/policy-model";
import { MACOS_MINIMAL_READ_ROOTS } from "../../src/minimal.js";

const within = (path: string, root: string): boolean => {
  const p = path.toLowerCase();
  const r = root.toLowerCase();
  return r === "/" || p === r || p.startsWith(`${r}/`);
};
const depth = (p: string): number => p.split("/").filter(Boolean).length;
const rank = { read: 0, write: 1, deny: 2 } as const;

/** Ancestors-or-self of `path` that lie strictly below `/`. */
function selfAndAncestors(path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join("/")}`);
}

export function referenceDecision(policy: ResolvedPolicy, path: string): { read: boolean; write: boolean } {
  if (policy.unrestricted) return { read: true, write: true };
  const fs = policy.filesystem;
  const rules = [...fs.rules.map((r) => ({ path: r.path, access: r.access }))];
  if (fs.minimal) for (const r of MACOS_MINIMAL_READ_ROOTS) rules.push({ path: r.path, access: "read" });
  let winner: (typeof rules)[number] | undefined;
  for (const r of rules) {
    if (!within(path, r.path)) continue;
    if (!winner || depth(r.path) > depth(winner.path) || (depth(r.path) === depth(winner.path) && rank[r.access] > rank[winner.access])) winner = r;
  }
  if (!winner) return { read: false, write: false };
  let read = winner.access !== "deny";
  let write = winner.access === "write";
  for (const p of fs.protectedPaths) {
    if (p.reason !== "policy" && p.state === "missing" && !p.preventCreation) continue;
    if (!within(path, p.path)) continue;
    const reopened = p.reason !== "policy" && winner.access === "write" && within(winner.path, p.path);
    if (!reopened) write = false;
  }
  for (const g of fs.denyGlobs) {
    if (selfAndAncestors(path).some((q) => globMatches(g.pattern, q, false))) {
      read = false;
      write = false;
    }
  }
  return { read, write };
}
