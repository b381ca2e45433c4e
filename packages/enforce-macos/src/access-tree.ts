// Most-specific-wins (spec 4.3/4.4) turned into Seatbelt allow sets: each allowed root minus the deeper
// roots that decide otherwise. Pure set algebra (allow rules with require-not carve-outs under
// `(deny default)`), so nothing depends on Seatbelt's rule-order semantics.
import type { Access, ProtectedPath } from "@cordon/policy-model";

/** One filesystem rule as the generator sees it (policy rules plus backend-added `:minimal` roots). */
export interface TreeRule {
  readonly path: string;
  readonly access: Access;
}

/** An allowed root and the deeper roots carved out of it. */
export interface AllowSet {
  readonly root: string;
  readonly carveOuts: readonly string[];
}

/** Containment that also holds across spellings (a rule reached through a symlink, `/tmp` vs `/private/tmp`). */
export type Within = (path: string, root: string) => boolean;

const RANK: Record<Access, number> = { read: 0, write: 1, deny: 2 };

/** One winner per root: at equal roots deny > write > read (spec 4.3 step 4). */
export function winnersByRoot(rules: readonly TreeRule[]): TreeRule[] {
  const byPath = new Map<string, TreeRule>();
  for (const rule of rules) {
    const seen = byPath.get(rule.path);
    if (!seen || RANK[rule.access] > RANK[seen.access]) byPath.set(rule.path, rule);
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Protected paths that constrain the sandbox: cordon's own policy paths always (spec 4.4: "whatever
 * the rules say"), metadata when it exists or when its creation must be prevented.
 */
export function activeProtected(paths: readonly ProtectedPath[]): ProtectedPath[] {
  return paths.filter((p) => p.reason === "policy" || p.state !== "missing" || p.preventCreation);
}

/** Read allow sets: every rule that grants read, minus deeper rules that deny it. */
export function readAllowSets(rules: readonly TreeRule[], within: Within): AllowSet[] {
  const winners = winnersByRoot(rules);
  const readable = (r: TreeRule): boolean => r.access !== "deny";
  return winners.filter(readable).map((root) => ({
    root: root.path,
    carveOuts: maximal(
      winners.filter((q) => !readable(q) && q.path !== root.path && within(q.path, root.path)).map((q) => q.path),
      within,
    ),
  }));
}

/**
 * Write allow sets: every rule that grants write, minus deeper rules that do not, minus protected
 * paths. Metadata protection (`.git`, gitdir targets, …) is reopened by a write rule at or inside it;
 * cordon's own policy files and dirs are never writable.
 */
export function writeAllowSets(rules: readonly TreeRule[], protectedPaths: readonly ProtectedPath[], within: Within): AllowSet[] {
  const winners = winnersByRoot(rules);
  const active = activeProtected(protectedPaths);
  const hard = active.filter((p) => p.reason === "policy");
  const out: AllowSet[] = [];
  for (const root of winners) {
    if (root.access !== "write") continue;
    if (hard.some((p) => within(root.path, p.path))) continue;
    const carve = [
      ...winners.filter((q) => q.access !== "write" && q.path !== root.path && within(q.path, root.path)).map((q) => q.path),
      ...active.filter((p) => p.path !== root.path && within(p.path, root.path)).map((p) => p.path),
    ];
    out.push({ root: root.path, carveOuts: maximal(carve, within) });
  }
  return out;
}

/**
 * Drops carve-outs that lie inside another carve-out (already excluded). Two spellings of one place
 * contain each other; then the first in sort order stays, so one of them always survives.
 */
function maximal(paths: readonly string[], within: Within): string[] {
  const unique = [...new Set(paths)].sort();
  return unique.filter((p) => !unique.some((q) => q !== p && within(p, q) && (!within(q, p) || q < p)));
}
