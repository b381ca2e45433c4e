// Gathers the host facts plan() needs on a real Mac: the canonical spelling of every path the profile
// names, the deny-glob matches that exist now, and a fresh denial tag.
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { expandDenyGlobs, type ResolvedPolicy } from "@cordon/policy-model";
import { compileDenyGlob } from "./glob-regex.js";
import { MACOS_MINIMAL_READ_ROOTS } from "./minimal.js";
import type { MacosHostFacts } from "./types.js";

/** realpath of `path`, or of its nearest existing ancestor with the missing rest appended. */
export function canonicalOf(path: string, realpath: (p: string) => string = realpathSync.native): string {
  const missing: string[] = [];
  let head = path;
  for (;;) {
    try {
      const real = realpath(head);
      if (missing.length === 0) return real;
      return `${real === "/" ? "" : real}/${missing.reverse().join("/")}`;
    } catch {
      if (head === "/" || head === "") return path;
      const cut = head.lastIndexOf("/");
      missing.push(head.slice(cut + 1));
      head = cut <= 0 ? "/" : head.slice(0, cut);
    }
  }
}

/** Every path a profile for `policy` may name. */
export function pathsNamedBy(policy: ResolvedPolicy): string[] {
  const fs = policy.filesystem;
  const paths = new Set<string>();
  for (const rule of fs.rules) paths.add(rule.path);
  for (const p of fs.protectedPaths) paths.add(p.path);
  if (fs.minimal) for (const root of MACOS_MINIMAL_READ_ROOTS) paths.add(root.path);
  for (const glob of fs.denyGlobs) {
    try {
      for (const alt of compileDenyGlob(glob.pattern)) paths.add(alt.base);
    } catch {
      // planFor refuses this glob with the reason
    }
  }
  for (const socket of policy.network.unixSockets) paths.add(socket.path);
  return [...paths].filter((p) => p.startsWith("/"));
}

/**
 * Host facts for planFor. Glob expansion fails closed: its CordonError propagates and the caller
 * refuses the run. The walk is only used to pin the directories of existing matches (enforcement of
 * the globs themselves is native and needs no walk), so it honours glob_scan_max_depth when set.
 */
export function gatherHostFacts(policy: ResolvedPolicy): MacosHostFacts {
  const canonicalPaths: Record<string, string> = {};
  for (const path of pathsNamedBy(policy)) canonicalPaths[path] = canonicalOf(path);
  const fs = policy.filesystem;
  const denyGlobMatches: string[] = [];
  if (fs.denyGlobs.length > 0 && !policy.unrestricted) {
    const expansion = expandDenyGlobs(fs.denyGlobs, { maxDepth: fs.globScanMaxDepth, caseSensitive: false });
    for (const match of expansion.matches) {
      denyGlobMatches.push(match.path);
      if (match.canonical !== null) denyGlobMatches.push(match.canonical);
    }
  }
  return { canonicalPaths, denyGlobMatches, logTag: `cordon-${randomBytes(6).toString("hex")}` };
}
