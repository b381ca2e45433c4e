// Gathers the host facts the pure planner needs: capabilities (cached per process), path states, deny-glob
// matches and the runtime dir. No process is spawned here, so planning stays fast.
import { accessSync, constants, lstatSync, realpathSync } from "node:fs";
import path from "node:path";
import { CordonError, expandDenyGlobs, type CommandSpec, type ResolvedPolicy } from "@cordon/policy-model";
import type { LinuxHostFacts, PathFact } from "../types.js";
import { ancestorsOf } from "../plan/access.js";
import { locateBwrap, type BwrapLocation } from "./bwrap-locate.js";
import { nativeFacts } from "./native-facts.js";
import { usernsSysctlCheck } from "./userns.js";
import { ensureRuntimeDir, runtimeDirFor } from "../runtime/runtime-dir.js";
import { isMarkedPlaceholder } from "../runtime/placeholder-marker.js";

let bwrapCache: BwrapLocation | undefined;

/** bwrap location, looked up once per process from the launcher's own PATH. */
export function cachedBwrap(): BwrapLocation {
  bwrapCache ??= locateBwrap(process.env.PATH, process.cwd());
  return bwrapCache;
}

function lstatFact(p: string): PathFact {
  try {
    const st = lstatSync(p);
    // cordon's own placeholder (another run's, or a crash's) is planned as missing: it gets a placeholder
    // mount and is claimed, so the last run using it removes it (src/runtime/journal.ts).
    if (isMarkedPlaceholder(p, st)) return { kind: "missing", nlink: 0 };
    const kind = st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "directory" : st.isFile() ? "file" : "other";
    return { kind, nlink: st.nlink };
  } catch {
    return { kind: "missing", nlink: 0 };
  }
}

/** Resolves `argv0` the way execvp will (PATH from the command's env); null when not found. */
export function resolveCommand(argv0: string | undefined, env: Readonly<Record<string, string>>, cwd: string): string | null {
  if (!argv0) return null;
  const candidates = argv0.includes("/") ? [path.resolve(cwd, argv0)] : (env.PATH ?? "/usr/bin:/bin").split(":").filter((d) => path.isAbsolute(d)).map((d) => path.join(d, argv0));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (lstatSync(c).isDirectory()) continue;
      return realpathSync(c);
    } catch {
      // try the next PATH entry
    }
  }
  return null;
}

/** Records lstat facts for paths and their ancestors, and canonical forms where a symlink is crossed. */
class PathFacts {
  readonly paths: Record<string, PathFact> = {};
  readonly canonical: Record<string, string> = {};

  add(p: string): void {
    let crossesLink = false;
    let missing = false;
    for (const q of [...ancestorsOf(p), p]) {
      if (q === "/") continue;
      // Below a missing component everything is missing too (and lstat would only repeat ENOENT).
      const fact = missing ? { kind: "missing" as const, nlink: 0 } : (this.paths[q] ?? lstatFact(q));
      this.paths[q] ??= fact;
      if (fact.kind === "symlink") crossesLink = true;
      if (fact.kind === "missing") missing = true;
    }
    if (!crossesLink) return;
    const real = canonicalize(p);
    if (real === undefined) return;
    this.canonical[p] = real;
    this.add(real);
  }
}

/** realpath, or for a missing path the realpath of its deepest existing ancestor plus the rest; undefined when a symlink dangles. */
function canonicalize(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    const parts = p.split("/").filter(Boolean);
    for (let i = parts.length - 1; i >= 1; i--) {
      const head = "/" + parts.slice(0, i).join("/");
      try {
        const real = realpathSync(head);
        if (lstatFact("/" + parts.slice(0, i + 1).join("/")).kind === "symlink") return undefined; // dangling link
        return path.join(real, ...parts.slice(i));
      } catch {
        // go one level up
      }
    }
    return undefined;
  }
}

let usernsKnownOk = false;

/**
 * The user-namespace sysctl check, re-read until it passes once and then trusted for the process (a
 * sysctl tightened later only makes bwrap itself fail, which launch reports as a cordon failure, 125).
 */
function usernsUsable(uid: number): boolean {
  if (usernsKnownOk) return true;
  usernsKnownOk = usernsSysctlCheck(uid).ok;
  return usernsKnownOk;
}

/** Collects everything `planLinux` needs about this host for this policy and command. */
export function gatherFacts(policy: ResolvedPolicy, command: CommandSpec): LinuxHostFacts {
  const native = nativeFacts();
  const bwrap = cachedBwrap();
  const uid = process.geteuid?.() ?? 0;
  const runtimeDir = runtimeDirFor(uid, process.env.XDG_RUNTIME_DIR);
  ensureRuntimeDir(runtimeDir, uid);

  let globMatches: LinuxHostFacts["globMatches"] = [];
  if (policy.filesystem.denyGlobs.length > 0) {
    try {
      const expansion = expandDenyGlobs(policy.filesystem.denyGlobs, { maxDepth: policy.filesystem.globScanMaxDepth, caseSensitive: policy.filesystem.caseSensitive });
      globMatches = expansion.matches.map((m) => ({ path: m.path, pattern: m.glob.pattern, canonical: m.canonical }));
    } catch (error) {
      if (!(error instanceof CordonError)) throw error;
      globMatches = { error: error.message };
    }
  }

  const commandPath = resolveCommand(command.argv[0], command.env, command.cwd);
  const facts = new PathFacts();
  for (const r of policy.filesystem.rules) facts.add(r.path);
  for (const p of policy.filesystem.protectedPaths) facts.add(p.path);
  if (Array.isArray(globMatches)) for (const m of globMatches as readonly { path: string; canonical: string | null }[]) {
    facts.add(m.path);
    if (m.canonical) facts.add(m.canonical);
  }
  for (const p of [native.execHelper, commandPath, runtimeDir]) if (p) facts.add(p);
  for (const s of policy.network.unixSockets) if (s.decision === "allow") facts.add(s.path);

  return {
    bwrap: bwrap.path === null ? null : { path: bwrap.path, version: "unchecked" },
    userNamespaces: usernsUsable(uid),
    landlockAbi: native.landlockAbi,
    seccomp: native.seccomp,
    execHelper: native.execHelper,
    unixSocketMediation: native.unixSocketMediation,
    uid,
    runtimeDir,
    paths: facts.paths,
    canonical: facts.canonical,
    globMatches,
    commandPath,
  };
}
