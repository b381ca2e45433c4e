// Builds the sandbox's filesystem view: one mount operation per path, shallowest first, so that no later
// bind can re-expose an earlier mask or carve-out whatever order the rules were written in (FS-13).
import { formatOrigin, isWithin, type Refusal, type ResolvedPolicy } from "@cordon/policy-model";
import type { LinuxHostFacts, MountOp, Placeholder } from "../types.js";
import { accessAt, ancestorsOf, depthOf, describeRule, leastOf, parentOf, protectingPath, type AccessState } from "./access.js";
import { canonicalOf, factOf, firstSymlinkOn } from "./facts-lookup.js";

/** A path cordon itself needs handled (the helper, the command, the runtime dir); trusted: no symlink refusal. */
export interface ExtraPath {
  readonly path: string;
  /** `exactly-read`: readable, never writable (the helper); `at-least-read`: the command; `deny`: the runtime dir. */
  readonly want: "exactly-read" | "at-least-read" | "deny";
  readonly why: string;
}

export interface ViewResult {
  readonly mounts: MountOp[];
  readonly placeholders: Placeholder[];
  readonly refusals: Refusal[];
  readonly notes: string[];
}

const METADATA_NAMES = new Set([".git", ".cordon", ".codex", ".agents"]);
/** The sandbox gets its own /dev and /proc; host rules below them are not mounted (they would expose host devices or procfs). */
const PRIVATE_TREES = ["/dev", "/proc"];

interface Node {
  readonly dest: string;
  desired: AccessState;
  readonly why: string[];
  /** A missing path here gets an empty read-only directory rather than an empty file. */
  placeholderDir: boolean;
}

/** What a path inherits from the nearest mount at or above it. */
type Content = { readonly host: true; readonly access: "read" | "write" } | { readonly host: false };

/** All deny-glob matches (logical and canonical) as paths, for accessAt. */
export function globDeniedPaths(facts: LinuxHostFacts): string[] {
  if (!Array.isArray(facts.globMatches)) return [];
  const out: string[] = [];
  for (const m of facts.globMatches as LinuxHostFacts["globMatches"] & unknown[]) {
    const match = m as { path: string; canonical: string | null };
    out.push(match.path);
    if (match.canonical) out.push(match.canonical);
  }
  return out;
}

/** Computes the mount operations (excluding the fixed base, /dev and /proc, which the caller adds). */
export function buildView(policy: ResolvedPolicy, facts: LinuxHostFacts, extras: readonly ExtraPath[]): ViewResult & { rootState: AccessState } {
  const refusals: Refusal[] = [];
  const notes: string[] = [];
  const globDenied = globDeniedPaths(facts);
  const nodes = new Map<string, Node>();

  const addNode = (dest: string, desired: AccessState, why: string, placeholderDir: boolean): void => {
    const existing = nodes.get(dest);
    if (existing) {
      existing.desired = leastOf(existing.desired, desired);
      existing.why.push(why);
      existing.placeholderDir ||= placeholderDir;
    } else nodes.set(dest, { dest, desired, why: [why], placeholderDir });
  };

  // Resolves a policy-named path to where the mount must go, refusing writable symlinks on the way (FS-11, FS-12).
  const crossedLinks = new Map<string, string>(); // symlink → its canonical target, for recreating it
  const destFor = (logical: string, why: string): string | undefined => {
    const link = firstSymlinkOn(facts, logical);
    if (link === undefined) return logical;
    if (accessAt(policy, globDenied, parentOf(link)) === "write") {
      refusals.push({
        rule: why,
        reason: `cannot enforce ${logical}: it crosses the symlink ${link}, which the sandbox can write (a planted or retargeted symlink would move the mount onto another host path)`,
      });
      return undefined;
    }
    const canonical = canonicalOf(facts, logical);
    if (canonical === undefined) notes.push(`${logical} (${why}) is a dangling symlink: nothing to mount there`);
    else {
      const rest = logical.slice(link.length);
      if (canonical.endsWith(rest)) crossedLinks.set(link, canonical.slice(0, canonical.length - rest.length) || "/");
    }
    return canonical;
  };

  for (const rule of policy.filesystem.rules) {
    const why = describeRule(rule);
    const dest = destFor(rule.path, why);
    if (dest !== undefined) addNode(dest, accessAt(policy, globDenied, rule.path), why, false);
  }
  for (const p of policy.filesystem.protectedPaths) {
    const why = `protected ${p.reason === "policy" ? "policy path" : "metadata"} ${p.path} (${p.name})`;
    if (p.state === "missing" && !p.preventCreation) continue;
    const dest = destFor(p.path, why);
    const metadata = p.reason !== "policy" && METADATA_NAMES.has(p.name);
    if (dest !== undefined) addNode(dest, accessAt(policy, globDenied, p.path), why, metadata && p.state !== "file");
  }
  if (Array.isArray(facts.globMatches)) {
    for (const m of facts.globMatches as readonly { path: string; pattern: string; canonical: string | null }[]) {
      const glob = policy.filesystem.denyGlobs.find((g) => g.pattern === m.pattern);
      const why = glob ? `"${glob.entry}" = "deny" (${formatOrigin(glob.origin)}) matched ${m.path}` : `deny glob ${m.pattern} matched ${m.path}`;
      const dest = destFor(m.path, why);
      if (dest !== undefined) addNode(dest, "deny", why, false);
      if (m.canonical && m.canonical !== m.path) addNode(m.canonical, "deny", `${why} (canonical target)`, false);
    }
  }
  for (const extra of extras) {
    const dest = facts.canonical[extra.path] ?? extra.path;
    const current = accessAt(policy, globDenied, extra.path);
    const desired: AccessState = extra.want === "deny" ? "deny" : extra.want === "exactly-read" ? "read" : current === "write" ? "write" : "read";
    const existing = nodes.get(dest);
    if (existing && extra.want !== "deny") {
      existing.desired = desired; // cordon's own needs override the policy for these few paths
      existing.why.push(extra.why);
    } else addNode(dest, desired, extra.why, false);
  }

  // Hard-link aliases of denied files cannot be masked by path (FS-06).
  for (const node of nodes.values()) {
    const fact = factOf(facts, node.dest);
    if (node.desired === "deny" && fact.kind === "file" && fact.nlink > 1) {
      refusals.push({
        rule: node.why[0] ?? node.dest,
        reason: `cannot enforce deny on ${node.dest}: it has ${fact.nlink} hard links, and the other names would stay readable`,
      });
    }
  }

  const rootState = nodes.get("/")?.desired ?? accessAt(policy, globDenied, "/");
  const ordered = [...nodes.values()]
    .filter((n) => n.dest !== "/")
    .filter((n) => {
      const inPrivate = PRIVATE_TREES.some((t) => isWithin(n.dest, t));
      if (inPrivate) notes.push(`${n.dest} (${n.why.join("; ")}) is not mounted: the sandbox has its own minimal /dev and /proc`);
      return !inPrivate;
    })
    .sort((a, b) => depthOf(a.dest) - depthOf(b.dest) || (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0));

  const emitted: { dest: string; content: Content }[] = [
    { dest: "/", content: rootState === "deny" ? { host: false } : { host: true, access: rootState } },
  ];
  const mounts: MountOp[] = [];
  const placeholders: Placeholder[] = [];
  const createdDirs = new Set<string>();
  const inheritedAt = (path: string): { dest: string; content: Content } => {
    let best = emitted[0]!;
    for (const e of emitted) if (isWithin(path, e.dest) && depthOf(e.dest) > depthOf(best.dest)) best = e;
    return best;
  };

  for (const node of ordered) {
    const parent = inheritedAt(node.dest);
    const inherited = parent.content;
    const fact = factOf(facts, node.dest);
    const why = node.why.join("; ");
    if (fact.kind === "missing") {
      // A missing path only matters where the sandbox could create it: inside a writable host bind.
      if (inherited.host && inherited.access === "write" && node.desired !== "write") {
        placeholders.push(...placeholdersFor(facts, node.dest, node.placeholderDir ? "directory" : "file"));
        if (node.placeholderDir) mounts.push({ op: "tmpfs", dest: node.dest, perms: "0555", readOnly: true, why: `${why} (missing: empty read-only placeholder)` });
        else mounts.push({ op: "mask-file", dest: node.dest, why: `${why} (missing: unreadable placeholder)` });
        emitted.push({ dest: node.dest, content: { host: false } });
      }
      continue;
    }
    if (node.desired === "deny") {
      if (!inherited.host) continue;
      if (fact.kind === "directory") mounts.push({ op: "tmpfs", dest: node.dest, perms: "0000", readOnly: true, why });
      else mounts.push({ op: "mask-file", dest: node.dest, why });
      emitted.push({ dest: node.dest, content: { host: false } });
      continue;
    }
    if (inherited.host && inherited.access === node.desired) continue;
    if (!inherited.host) {
      // Traversable but unlistable directories lead to the bind through the synthetic parent.
      for (const dir of ancestorsOf(node.dest)) {
        if (depthOf(dir) <= depthOf(parent.dest) || createdDirs.has(dir)) continue;
        createdDirs.add(dir);
        mounts.push({ op: "dir", dest: dir, perms: "0111", why: `leads to ${node.dest}` });
      }
    }
    mounts.push({ op: node.desired === "write" ? "bind" : "ro-bind", src: node.dest, dest: node.dest, why });
    emitted.push({ dest: node.dest, content: { host: true, access: node.desired } });
  }

  // A symlink the rules go through, in a synthetic parent (e.g. /bin -> usr/bin on an empty root), is recreated.
  for (const [link, target] of crossedLinks) {
    if (inheritedAt(link).content.host || nodes.has(link)) continue;
    mounts.push({ op: "symlink", target, dest: link, why: `the host's ${link} is a symlink to ${target}` });
  }

  // Denied directories that have something mounted inside must stay traversable (but not listable).
  const withInner = (dest: string) => mounts.some((m) => m.dest !== dest && isWithin(m.dest, dest));
  const fixed = mounts.map((m): MountOp => (m.op === "tmpfs" && m.perms === "0000" && withInner(m.dest) ? { ...m, perms: "0111" } : m));
  return { mounts: fixed, placeholders, refusals, notes, rootState };
}

/** Host paths bwrap creates for a missing mount point: its missing ancestors (directories) and itself. */
function placeholdersFor(facts: LinuxHostFacts, dest: string, kind: Placeholder["kind"]): Placeholder[] {
  const out: Placeholder[] = [];
  for (const dir of ancestorsOf(dest)) if (factOf(facts, dir).kind === "missing") out.push({ path: dir, kind: "directory" });
  out.push({ path: dest, kind });
  return out;
}

export { protectingPath };
