// The per-user cordon runtime dir: placeholder journals and the unreadable empty file that masks bind.
// It must belong to this user and be private, or another user could plant journals or swap the mask file.
import { closeSync, constants, lstatSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";

/** Chooses the runtime dir: /run/cordon for root, $XDG_RUNTIME_DIR/cordon when it is ours, else /tmp/cordon-<uid>. */
export function runtimeDirFor(uid: number, xdgRuntimeDir: string | undefined): string {
  if (uid === 0) return "/run/cordon";
  if (xdgRuntimeDir && path.isAbsolute(xdgRuntimeDir) && isPrivateDirOf(xdgRuntimeDir, uid)) return path.join(path.resolve(xdgRuntimeDir), "cordon");
  return `/tmp/cordon-${uid}`;
}

function isPrivateDirOf(dir: string, uid: number): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** Thrown when the runtime dir or its empty file is not safe to use. */
export class RuntimeDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeDirError";
  }
}

/** Creates (or checks) the runtime dir, its journal dir and the mode-000 empty file. */
export function ensureRuntimeDir(dir: string, uid: number): void {
  for (const d of [dir, path.join(dir, "journal")]) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new RuntimeDirError(`cannot create cordon runtime dir ${d}: ${(error as Error).message}`);
    }
    const st = lstatSync(d);
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
      throw new RuntimeDirError(`cordon runtime dir ${d} is not a private directory owned by uid ${uid}; remove it and retry`);
    }
  }
  const empty = path.join(dir, "empty");
  try {
    closeSync(openSync(empty, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o000));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new RuntimeDirError(`cannot create ${empty}: ${(error as Error).message}`);
  }
  const st = lstatSync(empty);
  if (!st.isFile() || st.size !== 0 || (st.mode & 0o777) !== 0 || st.uid !== uid) {
    throw new RuntimeDirError(`${empty} must be an empty mode-000 file owned by uid ${uid}; remove it and retry`);
  }
}
