// Placeholder journal (FS-05): every host path bwrap will create as a mount point is recorded before
// launch and removed after exit; journals left by a crashed launcher are cleaned at the next run.
import { randomBytes } from "node:crypto";
import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Placeholder } from "../types.js";
import { processStartTime } from "./process-start.js";
import { withPlaceholderLock } from "./placeholder-lock.js";
import { isMarkedPlaceholder, lstatOrUndefined, PLACEHOLDER_DIR_MODE, PLACEHOLDER_FILE_MODE, PLACEHOLDER_NAMES } from "./placeholder-marker.js";

interface JournalFile {
  readonly pid: number;
  /** Start time of the launcher (/proc/<pid>/stat field 22), so a reused pid is not mistaken for it. */
  readonly startTime: string;
  readonly placeholders: readonly Placeholder[];
}

/** Writes the journal for this launch; returns its path (remove with `finishJournal`). */
export function writeJournal(runtimeDir: string, placeholders: readonly Placeholder[]): string {
  const file = path.join(runtimeDir, "journal", `${process.pid}-${randomBytes(6).toString("hex")}.json`);
  const body: JournalFile = { pid: process.pid, startTime: processStartTime(process.pid) ?? "", placeholders };
  writeFileSync(file, JSON.stringify(body), { mode: 0o600, flag: "wx" });
  return file;
}

/**
 * Removes placeholders deepest first, and only while they are still what bwrap made: an empty file or an
 * empty directory. Anything with content is left alone and reported (never a recursive delete).
 */
export function removePlaceholders(placeholders: readonly Placeholder[], inUse: ReadonlySet<string> = new Set()): string[] {
  const leftovers: string[] = [];
  const ordered = [...placeholders].sort((a, b) => b.path.split("/").length - a.path.split("/").length);
  for (const p of ordered) {
    if (inUse.has(p.path)) continue; // another live run of this user claimed it: the last one out removes it
    let st;
    try {
      st = lstatSync(p.path);
    } catch {
      continue; // already gone
    }
    try {
      // Protected metadata is only removed while it still carries cordon's marker (never a user's entry).
      if (PLACEHOLDER_NAMES.has(path.basename(p.path)) && !isMarkedPlaceholder(p.path, st)) leftovers.push(p.path);
      else if (st.isDirectory()) rmdirSync(p.path);
      else if (st.isFile() && st.size === 0) unlinkSync(p.path);
      else leftovers.push(p.path);
    } catch {
      leftovers.push(p.path);
    }
  }
  return leftovers;
}

/** Cleans up after a launch and deletes its journal; returns paths that could not be removed. */
export function finishJournal(journalFile: string, placeholders: readonly Placeholder[], inUse: ReadonlySet<string> = new Set()): string[] {
  const leftovers = removePlaceholders(placeholders, inUse);
  try {
    unlinkSync(journalFile);
  } catch {
    // already removed by a concurrent recovery: nothing left to do
  }
  return leftovers;
}

interface JournalScan {
  readonly stale: { file: string; journal: JournalFile }[];
  /** Placeholder paths claimed by live runs (other than `exceptFile`). */
  readonly inUse: Set<string>;
}

function scanJournals(runtimeDir: string, exceptFile: string | null): JournalScan {
  const dir = path.join(runtimeDir, "journal");
  const scan: JournalScan = { stale: [], inUse: new Set() };
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return scan;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    if (!name.endsWith(".json") || file === exceptFile) continue;
    let journal: JournalFile;
    try {
      journal = JSON.parse(readFileSync(file, "utf8")) as JournalFile;
    } catch {
      continue; // not ours (journals are written under the lock, so never half-written here)
    }
    const alive = processStartTime(journal.pid);
    if (alive !== undefined && alive === journal.startTime) for (const p of journal.placeholders) scan.inUse.add(p.path);
    else scan.stale.push({ file, journal });
  }
  return scan;
}

/** Cleans the placeholders of launchers that died without cleaning up (pid gone or reused), sparing those live runs use. */
export function recoverStaleJournals(runtimeDir: string): string[] {
  return withPlaceholderLock(runtimeDir, () => {
    const { stale, inUse } = scanJournals(runtimeDir, null);
    const leftovers: string[] = [];
    for (const { file, journal } of stale) leftovers.push(...finishJournal(file, journal.placeholders, inUse));
    return leftovers;
  });
}

/** Thrown when a placeholder cannot be claimed safely (e.g. another user's cordon run made it). */
export class PlaceholderConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlaceholderConflictError";
  }
}

/**
 * Claims this run's placeholders under the per-user lock: journals them, then creates the missing ones
 * (marked: mode 0500/0400) or adopts this user's existing marked ones. Fails closed on another user's
 * placeholder: that user's run would remove it under us (the runtime dir, hence the reference count, is
 * per user). Returns the journal file (release with `releasePlaceholders`).
 */
export function claimPlaceholders(runtimeDir: string, placeholders: readonly Placeholder[]): string {
  return withPlaceholderLock(runtimeDir, () => {
    const journal = writeJournal(runtimeDir, placeholders);
    const created: Placeholder[] = [];
    try {
      for (const p of placeholders) if (ensurePlaceholder(p)) created.push(p);
    } catch (error) {
      // Undo only what this run created: a refused placeholder belongs to someone else.
      finishJournal(journal, created, scanJournals(runtimeDir, journal).inUse);
      throw error;
    }
    return journal;
  });
}

/** Creates `p` when missing (true), checks an existing one (false); throws on another user's placeholder. */
function ensurePlaceholder(p: Placeholder): boolean {
  const uid = process.getuid?.() ?? 0;
  const st = lstatOrUndefined(p.path);
  if (st === undefined) {
    const metadata = PLACEHOLDER_NAMES.has(path.basename(p.path));
    try {
      if (p.kind === "directory") mkdirSync(p.path, { mode: metadata ? PLACEHOLDER_DIR_MODE : 0o755 });
      else closeSync(openSync(p.path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, metadata ? PLACEHOLDER_FILE_MODE : 0o644));
    } catch (error) {
      throw new PlaceholderConflictError(`cordon: cannot create the placeholder ${p.path}: ${(error as Error).message}`);
    }
    return true;
  }
  if (isMarkedPlaceholder(p.path, st) && st.uid !== uid) {
    throw new PlaceholderConflictError(
      `cordon: ${p.path} is a placeholder of a concurrent cordon run of another user (uid ${st.uid}); that run would remove it during this one, so cordon refuses. Retry when it has ended (or remove the empty ${p.path} if no such run is active)`,
    );
  }
  // Anything else that exists (this user's marked placeholder, or an entry that appeared since planning)
  // is simply mounted over; only marked placeholders are ever removed.
  return false;
}

/** Releases this run's claim under the lock: deletes its journal and removes the placeholders no live run uses. */
export function releasePlaceholders(runtimeDir: string, journalFile: string, placeholders: readonly Placeholder[]): string[] {
  return withPlaceholderLock(runtimeDir, () => finishJournal(journalFile, placeholders, scanJournals(runtimeDir, journalFile).inUse));
}
