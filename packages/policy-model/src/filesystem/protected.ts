// Finds the paths that stay read-only under writable rules (spec 4.4): protected metadata (.git,
// .cordon, .codex, .agents) directly under every writable root, the gitdir a `.git` file points to,
// and cordon's own policy files and directories. Reads the filesystem (lstat, `.git` files) and never
// follows a symlink when judging what an entry is.
import { closeSync, lstatSync, openSync, readSync, readlinkSync, statSync } from "node:fs";
import type { PathRule, ProtectedPath } from "../resolved-policy.js";
import { isWithin, joinPath, normalizeAbsolute, parentPath, rootPrefixOf } from "./paths.js";

/** Entries protected under every writable root. */
export const PROTECTED_METADATA_NAMES: readonly string[] = [".git", ".cordon", ".codex", ".agents"];

/** `.git` files larger than this are not gitdir pointers (git itself writes a single short line). */
const MAX_GITDIR_FILE = 64 * 1024;

type EntryState = ProtectedPath["state"];

interface Inspection {
  readonly state: EntryState;
  /** Set when the entry is a symbolic link. */
  readonly symlinkTarget?: string;
  /** False when the state could not be determined (treated as missing and uncreatable). */
  readonly known: boolean;
}

/**
 * Lists the paths that stay read-only (and uncreatable when missing) inside the sandbox.
 *
 * - `policyPaths` (loaded config/requirements files, CORDON_HOME, CORDON_SYSTEM_DIR) become reason
 *   "policy": always read-only, whatever the rules say.
 * - For each distinct writable root (a rule with access "write"): `.git`, `.cordon`, `.codex`,
 *   `.agents` directly under it become reason "metadata", present or not. A missing one gets
 *   `preventCreation`, except a missing `.git` when an ancestor of the root holds git metadata (a
 *   `.git` directory with `HEAD`, or a `gitdir:` file), so parent-repository discovery keeps working.
 * - A `.git` file with `gitdir: <path>` adds the resolved gitdir (relative to the file's directory)
 *   as reason "gitdir-target" — when it exists, or when it is missing under a writable rule (so the
 *   sandbox cannot create it).
 * - An entry (or gitdir) is left out when an explicit write rule is rooted exactly at it; a write
 *   rule rooted inside it reopens only that subtree, which decidePath handles, so the entry stays.
 */
export function findProtectedPaths(rules: readonly PathRule[], policyPaths: readonly { path: string; name: string }[]): ProtectedPath[] {
  const out: ProtectedPath[] = [];
  const seen = new Set<string>();
  const add = (p: ProtectedPath): void => {
    const key = `${p.reason}\0${p.path}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };

  for (const { path, name } of policyPaths) {
    const normalized = normalizeAbsolute(path);
    const found = inspect(normalized);
    add(withLink({ path: normalized, reason: "policy", name, state: found.state, preventCreation: found.state === "missing" }, found));
  }

  const writeRoots = [...new Set(rules.filter((r) => r.access === "write").map((r) => r.path))];
  const explicitWrite = new Set(writeRoots);
  for (const root of writeRoots) {
    for (const name of PROTECTED_METADATA_NAMES) {
      const path = joinPath(root, name);
      if (explicitWrite.has(path)) continue;
      const found = inspect(path);
      const creatable = found.known && found.state === "missing" && name === ".git" && ancestorHasGitMetadata(root);
      add(withLink({ path, reason: "metadata", name, root, state: found.state, preventCreation: found.state === "missing" && !creatable }, found));
      if (name === ".git" && found.state === "file") {
        const target = readGitdirPointer(path);
        if (target === null || explicitWrite.has(target)) continue;
        const t = inspect(target);
        const creatableHere = writeRoots.some((w) => isWithin(target, w));
        if (t.state === "missing" && !creatableHere) continue; // nothing there, and the sandbox cannot create it
        add(withLink({ path: target, reason: "gitdir-target", name: ".git", root, state: t.state, preventCreation: t.state === "missing" }, t));
      }
    }
  }
  return out;
}

function withLink(p: ProtectedPath, found: Inspection): ProtectedPath {
  return found.symlinkTarget === undefined ? p : { ...p, symlinkTarget: found.symlinkTarget };
}

/** What is at `path`, without trusting a symlink: the link is reported and its target's state given. */
function inspect(path: string): Inspection {
  let link: string | undefined;
  try {
    const st = lstatSync(path);
    if (!st.isSymbolicLink()) return { state: st.isDirectory() ? "directory" : "file", known: true };
    link = readlinkSync(path);
  } catch (e) {
    if (isMissing(e)) return { state: "missing", known: true };
    return { state: "missing", known: false };
  }
  try {
    const st = statSync(path);
    return { state: st.isDirectory() ? "directory" : "file", symlinkTarget: link, known: true };
  } catch {
    return { state: "missing", symlinkTarget: link, known: true }; // dangling or looping link
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** Reads a `.git` file: `gitdir: <path>` (trimmed, split on the first `:`), resolved against its directory. */
export function readGitdirPointer(gitFile: string): string | null {
  const text = readSmallFile(gitFile);
  if (text === null) return null;
  const content = text.trim();
  const colon = content.indexOf(":");
  if (colon < 0 || content.slice(0, colon).trim() !== "gitdir") return null;
  const target = content.slice(colon + 1).trim();
  if (target === "" || target.includes("\0")) return null;
  const absolute = /^(?:[A-Za-z]:[\\/]|\/)/.test(target) ? target : joinPath(parentPath(gitFile), target);
  return normalizeAbsolute(absolute);
}

function readSmallFile(path: string): string | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buf = Buffer.alloc(MAX_GITDIR_FILE);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n >= MAX_GITDIR_FILE) return null;
    return buf.subarray(0, n).toString("utf8");
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** True when a proper ancestor of `root` holds git metadata: `.git/HEAD` in a directory, or a `gitdir:` file. */
export function ancestorHasGitMetadata(root: string): boolean {
  const top = rootPrefixOf(root);
  for (let dir = root; dir !== top; ) {
    dir = parentPath(dir);
    const git = joinPath(dir, ".git");
    try {
      const st = lstatSync(git);
      if (st.isDirectory()) {
        if (lstatSync(joinPath(git, "HEAD")).isFile()) return true;
      } else if (st.isFile() && readGitdirPointer(git) !== null) return true;
    } catch {
      // not here; keep climbing
    }
  }
  return false;
}
