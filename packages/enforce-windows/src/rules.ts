// Rule resolution on normalized Windows paths: the spec 4.3 winner (deepest rule; deny > write > read
// at equal depth), deny globs and protected paths on top — case-insensitive, alias-proof.
import { formatOrigin, globMatches, type Access, type DenyGlob, type PathRule, type ProtectedPath } from "@cordon/policy-model";
import { ancestorsOf, isWithinWindows, toGlobForm, type WindowsPath } from "./paths.js";

/** A policy rule whose path was normalized. */
export interface WinRule {
  readonly rule: PathRule;
  readonly path: WindowsPath;
}

/** A protected path, normalized. */
export interface WinProtected {
  readonly entry: ProtectedPath;
  readonly path: WindowsPath;
}

const RANK: Readonly<Record<Access, number>> = { read: 0, write: 1, deny: 2 };

/** The rule that decides `path` (spec 4.3), or undefined when none covers it (default deny). */
export function winnerFor(rules: readonly WinRule[], path: WindowsPath, exclude?: WinRule): WinRule | undefined {
  let best: WinRule | undefined;
  for (const r of rules) {
    if (r === exclude || !isWithinWindows(path, r.path)) continue;
    if (!best) best = r;
    else {
      const d = r.path.components.length - best.path.components.length;
      if (d > 0 || (d === 0 && RANK[r.rule.access] > RANK[best.rule.access])) best = r;
    }
  }
  return best;
}

/** The nearest rule strictly above `rule` (its inheritance parent), or undefined. */
export function parentRule(rules: readonly WinRule[], rule: WinRule): WinRule | undefined {
  return winnerFor(
    rules.filter((r) => r.path.components.length < rule.path.components.length),
    rule.path,
  );
}

/** The deny glob matching `path` or one of its ancestors below the volume root (case-insensitive). */
export function globDenies(globs: readonly DenyGlob[], path: WindowsPath): DenyGlob | undefined {
  const candidates = [path, ...ancestorsOf(path).filter((a) => a.components.length > 0)].map(toGlobForm);
  for (const glob of globs) {
    if (candidates.some((c) => globMatches(glob.pattern, c, false))) return glob;
  }
  return undefined;
}

/** read/write access for one path under the normalized policy (the planner's own decidePath). */
export function decideWindows(
  rules: readonly WinRule[],
  globs: readonly DenyGlob[],
  protectedPaths: readonly WinProtected[],
  path: WindowsPath,
): { read: boolean; write: boolean } {
  const winner = winnerFor(rules, path);
  if (!winner || winner.rule.access === "deny") return { read: false, write: false };
  if (globDenies(globs, path)) return { read: false, write: false };
  const write = winner.rule.access === "write" && !protectedPaths.some((p) => isWithinWindows(path, p.path) && !reopens(winner, p));
  return { read: true, write };
}

/** A write rule at or inside protected metadata reopens it (spec 4.4); policy files never reopen. */
export function reopens(rule: WinRule, protectedPath: WinProtected): boolean {
  return protectedPath.entry.reason !== "policy" && rule.rule.access === "write" && isWithinWindows(rule.path, protectedPath.path);
}

/** `entry = "access" (origin)`: how refusals and ACE reasons name a rule. */
export function describeRule(rule: PathRule): string {
  return `${rule.entry} = "${rule.access}" (${formatOrigin(rule.origin)})`;
}

/** `entry = "deny" (origin)` for a deny glob. */
export function describeGlob(glob: DenyGlob): string {
  return `${glob.entry} = "deny" (${formatOrigin(glob.origin)})`;
}
