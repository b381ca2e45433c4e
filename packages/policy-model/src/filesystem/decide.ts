// decidePath: the pure access decision for one path under a ResolvedPolicy (spec 4.3-4.5), with a
// human sentence naming the entry that decided. This is what `cordon explain` prints and what the
// backends' tests compare real enforcement against.
import { formatOrigin } from "../origin.js";
import type { Access, DenyGlob, PathDecision, PathRule, ProtectedPath, ResolvedPolicy } from "../resolved-policy.js";
import { globMatches } from "./glob.js";
import { expandHome, foldCase, isAbsolutePath, isWithin, joinPath, normalizeAbsolute, parentPath, pathDepth, rootPrefixOf } from "./paths.js";

const ACCESS_RANK: Readonly<Record<Access, number>> = { read: 0, write: 1, deny: 2 };

/**
 * Decides read/write access for one path; pure (no filesystem access).
 * A relative path is resolved against `policy.cwd` and `~/…` against `policy.home`.
 * Order (spec 4.3): `:danger-full-access` → read+write; otherwise the deepest rule whose root
 * contains the path wins (equal depth: deny > write > read); no rule → deny. Then deny globs (a
 * glob matching the path or one of its ancestors denies both), then protected paths (read-only).
 */
export function decidePath(policy: ResolvedPolicy, path: string): PathDecision {
  const target = resolveQueryPath(policy, path);
  if (policy.unrestricted) {
    return { path: target, read: true, write: true, rule: `${policy.profile}: no sandbox, every path is readable and writable (builtin)` };
  }
  const fs = policy.filesystem;
  const winner = findWinner(fs.rules, target, fs.caseSensitive);
  if (winner === undefined) return { path: target, read: false, write: false, rule: "no rule covers this path (default deny)" };

  const glob = findDenyGlob(fs.denyGlobs, target, fs.caseSensitive);
  if (glob !== undefined) {
    // When the winning rule already denies, it is the one that decided; the glob is reported beside it.
    const rule = winner.access === "deny" ? describeRule(winner) : describeGlob(glob);
    return { path: target, read: false, write: false, rule, winner, deniedByGlob: glob };
  }

  const read = winner.access !== "deny";
  const write = winner.access === "write";
  if (write) {
    const blocking = findBlockingProtection(fs.protectedPaths, target, winner, fs.caseSensitive);
    if (blocking !== undefined) {
      return { path: target, read, write: false, rule: `${describeProtection(blocking)}; read allowed by ${describeRule(winner)}`, winner, protectedBy: blocking };
    }
  }
  return { path: target, read, write, rule: describeRule(winner), winner };
}

/** Normalizes the queried path: absolute as is, `~/…` against home, anything else against cwd. */
function resolveQueryPath(policy: ResolvedPolicy, path: string): string {
  const platform = policy.platform;
  const text = platform === "windows" ? path.replaceAll("\\", "/") : path;
  const home = expandHome(text, policy.home, platform);
  if (home !== null) return normalizeAbsolute(home);
  if (isAbsolutePath(text, platform) || (platform !== "windows" && text.startsWith("/"))) return normalizeAbsolute(text);
  return normalizeAbsolute(joinPath(policy.cwd, text));
}

/** A rule with its comparison key (case-folded when needed) and depth, computed once per rule list. */
interface PreparedRule {
  readonly rule: PathRule;
  readonly key: string;
  readonly depth: number;
}
const preparedRules = new WeakMap<readonly PathRule[], { caseSensitive: boolean; list: PreparedRule[] }>();

function prepareRules(rules: readonly PathRule[], caseSensitive: boolean): PreparedRule[] {
  const cached = preparedRules.get(rules);
  if (cached !== undefined && cached.caseSensitive === caseSensitive) return cached.list;
  const list = rules.map((rule) => ({ rule, key: caseSensitive ? rule.path : foldCase(rule.path), depth: pathDepth(rule.path) }));
  preparedRules.set(rules, { caseSensitive, list });
  return list;
}

/** The deepest rule containing `path`; at equal depth deny > write > read (first listed wins a full tie). */
function findWinner(rules: readonly PathRule[], path: string, caseSensitive: boolean): PathRule | undefined {
  const key = caseSensitive ? path : foldCase(path);
  let best: PreparedRule | undefined;
  for (const candidate of prepareRules(rules, caseSensitive)) {
    if (!isWithin(key, candidate.key)) continue;
    if (best === undefined || candidate.depth > best.depth || (candidate.depth === best.depth && ACCESS_RANK[candidate.rule.access] > ACCESS_RANK[best.rule.access])) {
      best = candidate;
    }
  }
  return best?.rule;
}

/**
 * A deny glob matching the path or an ancestor at or below the glob's base: a matched directory is
 * masked as a whole, so everything beneath it is denied too (the pattern decides, not the disk).
 */
function findDenyGlob(globs: readonly DenyGlob[], path: string, caseSensitive: boolean): DenyGlob | undefined {
  for (const glob of globs) {
    if (!isWithin(path, glob.base, caseSensitive)) continue;
    for (let p = path; ; p = parentPath(p)) {
      if (globMatches(glob.pattern, p, caseSensitive)) return glob;
      if (p.length <= glob.base.length || p === rootPrefixOf(p)) break;
    }
  }
  return undefined;
}

/**
 * The protected path that takes write away, if any. Policy paths always do. Metadata and gitdir
 * targets do unless the winning rule is rooted at or inside the protected entry (an explicit write
 * rule there reopens it, spec 4.4), or the entry is missing and may be created (a missing `.git`
 * below an existing repository).
 */
function findBlockingProtection(protectedPaths: readonly ProtectedPath[], path: string, winner: PathRule, caseSensitive: boolean): ProtectedPath | undefined {
  let found: ProtectedPath | undefined;
  for (const p of protectedPaths) {
    if (!isWithin(path, p.path, caseSensitive)) continue;
    if (p.reason === "policy") return p;
    if (p.state === "missing" && !p.preventCreation) continue;
    if (isWithin(winner.path, p.path, caseSensitive)) continue;
    found ??= p;
  }
  return found;
}

/** `"/repo/secrets" = "deny" (/home/u/.cordon/config.toml:7)`; the concrete path is added when it differs. */
export function describeRule(rule: PathRule): string {
  const where = formatOrigin(rule.origin);
  const { key, sub } = splitEntry(rule.entry, rule.path);
  const written = sub === undefined ? `"${key}" = "${rule.access}"` : `"${key}" = { "${sub}" = "${rule.access}" }`;
  const concrete = key === rule.path && sub === undefined ? "" : ` → ${rule.path}`;
  return `${written}${concrete} (${where})`;
}

/** `deny glob "**\/*.env" under :workspace_roots (/repo/.cordon/config.toml:9)`. */
export function describeGlob(glob: DenyGlob): string {
  const where = formatOrigin(glob.origin);
  const { key, sub } = splitEntry(glob.entry, glob.pattern);
  if (sub === undefined) return key === glob.pattern ? `deny glob "${key}" (${where})` : `deny glob "${key}" → ${glob.pattern} (${where})`;
  return `deny glob "${sub}" under ${key} → ${glob.pattern} (${where})`;
}

/** `protected metadata .git under writable root /repo (builtin)` and friends. */
export function describeProtection(p: ProtectedPath): string {
  const missing = p.state === "missing" ? ", missing and not creatable" : "";
  switch (p.reason) {
    case "metadata":
      return `protected metadata ${p.name} under writable root ${p.root ?? parentPath(p.path)}${missing} (builtin)`;
    case "gitdir-target":
      return `protected gitdir ${p.path} of ${p.root === undefined ? ".git" : joinPath(p.root, ".git")}${missing} (builtin)`;
    case "policy":
      return `cordon policy path ${p.path} (${p.name}) is read-only in every sandbox${missing} (builtin)`;
  }
}

/**
 * Rule entries are `key` for top-level keys and `key sub` for nested ones (display only). Symbolic
 * keys contain no space, so they split exactly; a path key may contain spaces, so it is split where
 * the rest is the tail of the concrete path (or `.`), else shown whole.
 */
function splitEntry(entry: string, concrete: string): { key: string; sub?: string } {
  if (entry.startsWith(":")) {
    const cut = entry.indexOf(" ");
    return cut < 0 ? { key: entry } : { key: entry.slice(0, cut), sub: entry.slice(cut + 1) };
  }
  if (entry === concrete) return { key: entry };
  for (let cut = entry.indexOf(" "); cut >= 0; cut = entry.indexOf(" ", cut + 1)) {
    const sub = entry.slice(cut + 1);
    if (sub === "." || concrete.endsWith("/" + sub)) return { key: entry.slice(0, cut), sub };
  }
  return { key: entry };
}
