// Placeholder journal (FS-05): every host path bwrap will create as a mount point is recorded before
// launch and removed after exit; journals left by a crashed launcher are cleaned at the next run.
import { randomBytes } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Placeholder } from "../types.js";

interface JournalFile {
  readonly pid: number;
  /** Start time of the launcher (/proc/<pid>/stat field 22), so a reused pid is not mistaken for it. */
  readonly startTime: string;
  readonly placeholders: readonly Placeholder[];
}

function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) may contain spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
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
export function removePlaceholders(placeholders: readonly Placeholder[]): string[] {
  const leftovers: string[] = [];
  const ordered = [...placeholders].sort((a, b) => b.path.split("/").length - a.path.split("/").length);
  for (const p of ordered) {
    let st;
    try {
      st = lstatSync(p.path);
    } catch {
      continue; // already gone
    }
    try {
      if (st.isDirectory()) rmdirSync(p.path);
      else if (st.isFile() && st.size === 0) unlinkSync(p.path);
      else leftovers.push(p.path);
    } catch {
      leftovers.push(p.path);
    }
  }
  return leftovers;
}

/** Cleans up after a launch and deletes its journal; returns paths that could not be removed. */
export function finishJournal(journalFile: string, placeholders: readonly Placeholder[]): string[] {
  const leftovers = removePlaceholders(placeholders);
  try {
    unlinkSync(journalFile);
  } catch {
    // already removed by a concurrent recovery: nothing left to do
  }
  return leftovers;
}

/** Cleans the placeholders of launchers that died without cleaning up (pid gone or reused). */
export function recoverStaleJournals(runtimeDir: string): string[] {
  const dir = path.join(runtimeDir, "journal");
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const leftovers: string[] = [];
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    const file = path.join(dir, name);
    let journal: JournalFile;
    try {
      journal = JSON.parse(readFileSync(file, "utf8")) as JournalFile;
    } catch {
      continue; // being written right now, or not ours
    }
    const alive = processStartTime(journal.pid);
    if (alive !== undefined && alive === journal.startTime) continue;
    leftovers.push(...finishJournal(file, journal.placeholders));
  }
  return leftovers;
}
