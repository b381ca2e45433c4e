// A per-user mutex (a directory in the runtime dir) around placeholder creation, journaling and removal,
// so one run never removes a placeholder another run of the same user has claimed (concurrent runs).
import { mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { processStartTime } from "./process-start.js";

/** Longest wait for the lock; holders keep it for a few syscalls only, so this means a hung holder. */
const LOCK_TIMEOUT_MS = 10_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Thrown when the placeholder lock cannot be taken. */
export class PlaceholderLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlaceholderLockError";
  }
}

function ownerAlive(lockDir: string): boolean {
  try {
    const [pid, start] = readFileSync(path.join(lockDir, "owner"), "utf8").split(" ");
    const now = processStartTime(Number(pid));
    return now !== undefined && now === start;
  } catch {
    return true; // being created right now: assume alive
  }
}

/** Runs `fn` holding the runtime dir's placeholder lock (mkdir is atomic; a dead holder's lock is broken). */
export function withPlaceholderLock<T>(runtimeDir: string, fn: () => T): T {
  const lockDir = path.join(runtimeDir, "placeholder.lock");
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let staleChecks = 0;
  for (;;) {
    try {
      mkdirSync(lockDir, { mode: 0o700 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new PlaceholderLockError(`cordon: cannot lock ${lockDir}: ${(error as Error).message}`);
    }
    // Checked every ~50 tries: a launcher that died holding the lock must not block every later run.
    if (++staleChecks % 50 === 0 && !ownerAlive(lockDir)) rmSync(lockDir, { recursive: true, force: true });
    if (Date.now() > deadline) throw new PlaceholderLockError(`cordon: timed out waiting for ${lockDir} (another cordon run holds it; remove it if no cordon run is active)`);
    Atomics.wait(sleeper, 0, 0, 1);
  }
  try {
    writeFileSync(path.join(lockDir, "owner"), `${process.pid} ${processStartTime(process.pid) ?? ""}`, { mode: 0o600 });
    return fn();
  } finally {
    rmSync(path.join(lockDir, "owner"), { force: true });
    rmdirSync(lockDir);
  }
}
