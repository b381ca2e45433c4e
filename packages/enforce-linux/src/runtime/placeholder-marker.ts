// How cordon recognises its own host placeholders for protected metadata (another run's, or one left by a
// crash): an empty directory of mode 0500 or an empty file of mode 0400 named like protected metadata.
import { lstatSync, readdirSync, type Stats } from "node:fs";
import path from "node:path";

/** Names of protected metadata that get placeholders (spec 4.4). */
export const PLACEHOLDER_NAMES: ReadonlySet<string> = new Set([".git", ".cordon", ".codex", ".agents"]);
/** Mode cordon creates placeholder directories with (set atomically by mkdir, so there is no unmarked window). */
export const PLACEHOLDER_DIR_MODE = 0o500;
/** Mode cordon creates placeholder files with. */
export const PLACEHOLDER_FILE_MODE = 0o400;

/** True when `st` (of `p`) looks like a cordon placeholder: right name, marker mode, empty. */
export function isMarkedPlaceholder(p: string, st: Stats): boolean {
  if (!PLACEHOLDER_NAMES.has(path.basename(p))) return false;
  if (st.isFile()) return (st.mode & 0o7777) === PLACEHOLDER_FILE_MODE && st.size === 0;
  if (!st.isDirectory() || (st.mode & 0o7777) !== PLACEHOLDER_DIR_MODE) return false;
  try {
    return readdirSync(p).length === 0;
  } catch {
    return st.uid !== process.getuid?.(); // another user's 0500 dir we cannot list: treat as theirs (claim refuses)
  }
}

/** lstat that returns undefined for a missing path. */
export function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}
