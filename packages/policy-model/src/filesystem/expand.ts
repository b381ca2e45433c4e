// Expands deny globs against the real filesystem for backends that cannot match globs natively
// (Linux, Windows): one iterative walk per distinct glob base for all globs under it, bounded by
// glob_scan_max_depth, pruned by the globs' literal directory parts, never following symlinked
// directories, failing closed (CordonError E_GLOB_SCAN) on any enumeration error.
import { readdirSync, realpathSync, statSync, type Dirent } from "node:fs";
import { CordonError } from "../errors.js";
import type { DenyGlob } from "../resolved-policy.js";
import { compileGlob, compileNameFilter, isGlobstarComponent, literalComponent, parseGlob, splitComponents, type GlobToken } from "./glob.js";
import { foldCase, joinPath } from "./paths.js";

/** Every concrete match of the deny globs, with the canonical (realpath) form when it differs. */
export interface GlobExpansion {
  matches: { path: string; glob: DenyGlob; canonical: string | null }[];
  /** Directory entries looked at (a measure of the work done). */
  scannedEntries: number;
}

/**
 * More matches than this refuse the run: masking thousands of paths is slow and almost always
 * means the pattern is broader than intended (same limit as the reference implementation).
 */
export const MAX_DENY_GLOB_MATCHES = 8192;

/** One step of the pruning automaton: a literal name, any single name, or `**`. */
type PruneStep = { kind: "literal"; name: string } | { kind: "any" } | { kind: "globstar" };

interface GlobUnderBase {
  readonly glob: DenyGlob;
  readonly regex: RegExp;
  /** Necessary condition on the entry's own name, or null (then every entry is matched in full). */
  readonly nameFilter: ((name: string) => boolean) | null;
  /** Components after the base, or null when the shape cannot be pruned safely (descend everywhere). */
  readonly steps: readonly PruneStep[] | null;
}

/** A directory waiting to be read, with each glob's automaton states after its path below the base. */
interface Frame {
  readonly dir: string;
  readonly depth: number;
  readonly states: readonly (readonly number[] | null)[];
}

/**
 * Walks each glob base once for all globs with that base and returns every existing match (files,
 * directories, symlinks — a symlink is reported by its own name and never followed). A matched
 * directory is reported and not descended into (masking it covers everything beneath).
 *
 * Depth: the base is depth 0; entries directly in it are depth 1; `maxDepth` null = unbounded.
 * A missing base yields no matches. Any other error (EACCES, ELOOP, EIO …) while reading a base or
 * directory, or resolving a match's canonical path (a matched symlink that dangles or loops just has
 * no canonical path), throws CordonError E_GLOB_SCAN (exit code 3)
 * naming the glob and the path. More than MAX_DENY_GLOB_MATCHES matches also throws E_GLOB_SCAN.
 * The same directory reached twice (bind-mount loops) is walked once.
 */
export function expandDenyGlobs(globs: readonly DenyGlob[], options: { maxDepth: number | null; caseSensitive: boolean }): GlobExpansion {
  const byBase = new Map<string, DenyGlob[]>();
  for (const glob of globs) {
    const list = byBase.get(glob.base);
    if (list) list.push(glob);
    else byBase.set(glob.base, [glob]);
  }
  const result: GlobExpansion = { matches: [], scannedEntries: 0 };
  for (const [base, group] of byBase) walkBase(base, group, options, result);
  return result;
}

function walkBase(base: string, group: readonly DenyGlob[], options: { maxDepth: number | null; caseSensitive: boolean }, result: GlobExpansion): void {
  const { caseSensitive, maxDepth } = options;
  const compiled: GlobUnderBase[] = group.map((glob) => {
    const regex = compileGlob(glob.pattern, caseSensitive);
    if (regex === null) throw scanError(group, glob.pattern, "the pattern is not a valid glob");
    return { glob, regex, nameFilter: compileNameFilter(glob.pattern, caseSensitive), steps: pruneSteps(glob, caseSensitive) };
  });
  const anyMatch = new RegExp(compiled.map((c) => `(?:${c.regex.source})`).join("|"), compiled[0]!.regex.flags);
  const nameFilter = combineFilters(compiled);

  let baseIsDir: boolean;
  let realBase: string;
  try {
    baseIsDir = statSync(base).isDirectory();
    realBase = realpathSync.native(base);
  } catch (e) {
    if (isMissing(e)) return;
    throw scanError(group, base, describeErrno(e));
  }
  const canonicalOf = (path: string): string | null => (realBase === base ? null : realBase + path.slice(base.length));

  // The base itself is depth 0: `secrets/**` matches the directory `secrets` and masks it whole.
  if (recordMatches(base, false, compiled, anyMatch, canonicalOf, group, result)) return;
  if (!baseIsDir || maxDepth === 0) return;

  const visited = new Set<string>();
  const stack: Frame[] = [{ dir: base, depth: 0, states: compiled.map((c) => (c.steps === null ? null : closure(c.steps, [0]))) }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (!firstVisit(frame.dir, visited, group)) continue;
    let entries: Dirent[];
    try {
      entries = readdirSync(frame.dir, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) continue; // removed while we walked: nothing left to mask
      throw scanError(group, frame.dir, describeErrno(e));
    }
    const childDepth = frame.depth + 1;
    const descend = maxDepth === null || childDepth < maxDepth;
    for (const entry of entries) {
      result.scannedEntries++;
      // Most entries are plain files no glob's last component accepts: skip them without building a path.
      const candidate = nameFilter === null || nameFilter(entry.name);
      const isDir = descend && entry.isDirectory();
      if (!candidate && !isDir) continue;
      const path = joinPath(frame.dir, entry.name);
      if (candidate && recordMatches(path, entry.isSymbolicLink(), compiled, anyMatch, canonicalOf, group, result)) continue;
      if (!isDir) continue; // Dirent.isDirectory() is false for a symlink: symlinked directories are never followed
      const name = caseSensitive ? entry.name : foldCase(entry.name);
      const states = compiled.map((c, k) => {
        const s = frame.states[k];
        return c.steps === null || s === null || s === undefined ? null : advance(c.steps, s, name);
      });
      const live = compiled.some((c, k) => {
        const s = states[k];
        return c.steps === null || (s != null && s.some((p) => p < c.steps!.length));
      });
      if (live) stack.push({ dir: path, depth: childDepth, states });
    }
  }
}

/** One name test for the whole group, or null when some glob has no name filter. */
function combineFilters(compiled: readonly GlobUnderBase[]): ((name: string) => boolean) | null {
  const filters = compiled.map((c) => c.nameFilter);
  if (filters.some((f) => f === null)) return null;
  const list = filters as ((name: string) => boolean)[];
  if (list.length === 1) return list[0]!;
  return (name) => {
    for (const f of list) if (f(name)) return true;
    return false;
  };
}

/** Tests one path against the group's globs; records each match. True when anything matched. */
function recordMatches(
  path: string,
  isLink: boolean,
  compiled: readonly GlobUnderBase[],
  anyMatch: RegExp,
  canonicalOf: (path: string) => string | null,
  group: readonly DenyGlob[],
  result: GlobExpansion,
): boolean {
  if (!anyMatch.test(path)) return false;
  let matched = false;
  for (const c of compiled) {
    if (!c.regex.test(path)) continue;
    matched = true;
    if (result.matches.length >= MAX_DENY_GLOB_MATCHES) {
      throw scanError(group, c.glob.base, `matched more than ${MAX_DENY_GLOB_MATCHES} paths; narrow the pattern or set glob_scan_max_depth`, c.glob);
    }
    result.matches.push({ path, glob: c.glob, canonical: isLink ? linkCanonical(path, group) : canonicalOf(path) });
  }
  return matched;
}

/**
 * realpath of a matched symlink; null when identical to the path, dangling (ENOENT) or looping
 * (ELOOP): such a link leads nowhere, so masking the link itself is all there is to do.
 */
function linkCanonical(path: string, group: readonly DenyGlob[]): string | null {
  try {
    const real = realpathSync.native(path);
    return real === path ? null : real;
  } catch (e) {
    if (isMissing(e) || (e as NodeJS.ErrnoException).code === "ELOOP") return null;
    throw scanError(group, path, describeErrno(e));
  }
}

/** Records a directory's identity; false when it was already walked (a bind-mount loop). */
function firstVisit(dir: string, visited: Set<string>, group: readonly DenyGlob[]): boolean {
  let id: string;
  try {
    const st = statSync(dir, { bigint: true });
    id = `${st.dev}:${st.ino}`;
  } catch (e) {
    if (isMissing(e)) return false;
    throw scanError(group, dir, describeErrno(e));
  }
  if (visited.has(id)) return false;
  visited.add(id);
  return true;
}

/**
 * The glob's components below its base as pruning steps: literal names compare exactly (folded when
 * case-insensitive), `**` is a globstar, anything else matches any single name. A brace group that
 * contains `/` or `**` may span components, so such a glob is never pruned (null).
 */
function pruneSteps(glob: DenyGlob, caseSensitive: boolean): PruneStep[] | null {
  let tokens: GlobToken[];
  try {
    tokens = parseGlob(glob.pattern);
  } catch {
    return null;
  }
  const comps = splitComponents(tokens);
  // The pattern starts with the (escaped, literal) base; check that, then prune on what follows.
  const baseParts = glob.base.split("/");
  const head = comps.slice(0, baseParts.length);
  if (head.length < baseParts.length || head.some((c, k) => literalComponent(c) !== baseParts[k])) return null;
  const below = comps.slice(baseParts.length);
  const steps: PruneStep[] = [];
  for (const comp of below) {
    if (comp.some((t) => t.kind === "brace" && braceSpansComponents(t.alternatives))) return null;
    const lit = literalComponent(comp);
    if (lit !== null) steps.push({ kind: "literal", name: caseSensitive ? lit : foldCase(lit) });
    else if (isGlobstarComponent(comp)) steps.push({ kind: "globstar" });
    else steps.push({ kind: "any" });
  }
  return steps;
}

/** A brace group whose alternatives contain `/` or `**` may match across components. */
function braceSpansComponents(alternatives: readonly GlobToken[][]): boolean {
  return alternatives.some((alt) =>
    alt.some((t) => t.kind === "sep" || (t.kind === "star" && t.run >= 2) || (t.kind === "brace" && braceSpansComponents(t.alternatives))),
  );
}

/** Adds the positions reachable without consuming a name (a globstar may match zero components). */
function closure(steps: readonly PruneStep[], states: readonly number[]): number[] {
  const out = new Set(states);
  for (const s of states) {
    for (let p = s; p < steps.length && steps[p]!.kind === "globstar"; p++) out.add(p + 1);
  }
  return [...out];
}

/** The automaton states after consuming one directory name. */
function advance(steps: readonly PruneStep[], states: readonly number[], name: string): number[] {
  const next: number[] = [];
  for (const p of states) {
    const step = steps[p];
    if (step === undefined) continue;
    if (step.kind === "globstar") next.push(p);
    else if (step.kind === "any" || step.name === name) next.push(p + 1);
  }
  return closure(steps, next);
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function describeErrno(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code} (${err.message})` : String(e);
}

function scanError(group: readonly DenyGlob[], path: string, detail: string, glob: DenyGlob = group[0]!): CordonError {
  const names = group.length === 1 || glob !== group[0] ? `\`${glob.pattern}\`` : group.map((g) => `\`${g.pattern}\``).join(", ");
  return new CordonError("E_GLOB_SCAN", `cannot expand deny glob ${names} at ${path}: ${detail}; refusing to run (fail closed)`, {
    origin: glob.origin,
    exitCode: 3,
  });
}
