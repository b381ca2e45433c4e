// The planner's view of spec 4.3-4.5 for one path: which rule wins, and what globs and protection do on top.
// Kept independent of decidePath on purpose: the property tests compare the mount table built from this
// against decidePath, so a bug in either shows up as a difference.
import { formatOrigin, isWithin, type PathRule, type ProtectedPath, type ResolvedPolicy } from "@cordon/policy-model";

/** Effective access of a path: `deny` < `read` < `write`. */
export type AccessState = "deny" | "read" | "write";

const RANK: Record<AccessState, number> = { deny: 0, read: 1, write: 2 };

/** The more restrictive of two states. */
export function leastOf(a: AccessState, b: AccessState): AccessState {
  return RANK[a] <= RANK[b] ? a : b;
}

/** Number of components: "/" = 0, "/a/b" = 2. */
export function depthOf(path: string): number {
  return path === "/" ? 0 : path.split("/").length - 1;
}

/** Spec 4.3: the deepest rule at or above `path`; at equal depth deny > write > read. */
export function winningRule(rules: readonly PathRule[], path: string): PathRule | undefined {
  let best: PathRule | undefined;
  for (const rule of rules) {
    if (!isWithin(path, rule.path)) continue;
    if (!best) best = rule;
    else {
      const d = depthOf(rule.path) - depthOf(best.path);
      if (d > 0 || (d === 0 && TIE[rule.access] > TIE[best.access])) best = rule;
    }
  }
  return best;
}
const TIE: Record<PathRule["access"], number> = { read: 0, write: 1, deny: 2 };

/** Access from the rules alone (no globs, no protection). */
export function ruleAccess(rules: readonly PathRule[], path: string): AccessState {
  return winningRule(rules, path)?.access ?? "deny";
}

/** The protected path that keeps `path` read-only, if any (an explicit write rule at or inside a metadata entry reopens it). */
export function protectingPath(policy: ResolvedPolicy, path: string): ProtectedPath | undefined {
  for (const p of policy.filesystem.protectedPaths) {
    if (!isWithin(path, p.path)) continue;
    if (p.reason !== "policy") {
      const reopened = policy.filesystem.rules.some((r) => r.access === "write" && isWithin(r.path, p.path) && isWithin(path, r.path));
      if (reopened) continue;
    }
    return p;
  }
  return undefined;
}

/**
 * The access the sandbox must give `path` (logical, lexical): the rule winner, capped to read by
 * protection, denied by any expanded glob match at or above it.
 */
export function accessAt(policy: ResolvedPolicy, deniedByGlob: readonly string[], path: string): AccessState {
  if (deniedByGlob.some((m) => isWithin(path, m))) return "deny";
  const state = ruleAccess(policy.filesystem.rules, path);
  if (state === "write" && protectingPath(policy, path)) return "read";
  return state;
}

/** `"~/x" = "deny"` (file:line) — how refusals and notes name a rule. */
export function describeRule(rule: PathRule): string {
  return `"${rule.entry}" = "${rule.access}" (${formatOrigin(rule.origin)})`;
}

/** Parent directory of an absolute normalized path ("/" for top-level entries and "/"). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** Every proper ancestor of `path`, shallowest first ("/" excluded). */
export function ancestorsOf(path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push("/" + parts.slice(0, i).join("/"));
  return out;
}
