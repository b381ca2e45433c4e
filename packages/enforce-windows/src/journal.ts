// Write-ahead journal of the ACEs and placeholders one run adds. It is written (and flushed) BEFORE the
// first change, doubles as the run lock (exclusive create), and lets the next run undo a crashed one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { AcePlan, WindowsPlan } from "./plan-types.js";

/** What one run changed on the host. */
export interface Journal {
  readonly version: 1;
  /** The cordon process that owns the run. */
  readonly pid: number;
  readonly createdAt: string;
  readonly userSid: string;
  readonly capabilitySid: string;
  readonly aces: readonly Pick<AcePlan, "path" | "sid" | "type" | "mask" | "inheritance">[];
  readonly placeholders: readonly string[];
}

/** One undo step, in the order it must run. */
export type UndoStep = { readonly kind: "remove-aces"; readonly path: string; readonly sid: string } | { readonly kind: "remove-placeholder"; readonly path: string };

/** What to do about an existing journal. */
export type Recovery = { readonly action: "none" } | { readonly action: "busy"; readonly pid: number } | { readonly action: "undo"; readonly journal: Journal; readonly steps: readonly UndoStep[] };

/** The journal a plan will write before applying anything. */
export function journalFor(plan: WindowsPlan, pid: number, now: Date): Journal {
  return {
    version: 1,
    pid,
    createdAt: now.toISOString(),
    userSid: plan.user.sid,
    capabilitySid: plan.capabilitySid,
    aces: plan.aces.map(({ path, sid, type, mask, inheritance }) => ({ path, sid, type, mask, inheritance })),
    placeholders: [...plan.placeholders],
  };
}

export function serializeJournal(journal: Journal): string {
  return `${JSON.stringify(journal, null, 2)}\n`;
}

/** Parses a journal; throws an Error naming the file and what is wrong (a corrupt journal is never ignored). */
export function parseJournal(text: string, file: string): Journal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`cordon journal ${file} is not valid JSON (${(error as Error).message}); inspect it, remove the ACEs it lists for the sandbox SIDs, then delete it`);
  }
  const j = value as Partial<Journal> | null;
  const ok =
    j !== null &&
    typeof j === "object" &&
    j.version === 1 &&
    typeof j.pid === "number" &&
    typeof j.userSid === "string" &&
    typeof j.capabilitySid === "string" &&
    Array.isArray(j.aces) &&
    j.aces.every((a) => a && typeof a.path === "string" && typeof a.sid === "string") &&
    Array.isArray(j.placeholders) &&
    j.placeholders.every((p) => typeof p === "string");
  if (!ok) throw new Error(`cordon journal ${file} has an unexpected shape; inspect it, remove the ACEs it lists for the sandbox SIDs, then delete it`);
  return j as Journal;
}

/**
 * Undo order: every (path, SID) pair once, deepest path first (so parents re-propagate last), then the
 * placeholders deepest first (each removed only if still empty).
 */
export function undoSteps(journal: Journal): UndoStep[] {
  const depth = (p: string): number => p.split(/[\\/]+/).filter(Boolean).length;
  const seen = new Set<string>();
  const pairs: { path: string; sid: string }[] = [];
  for (const ace of journal.aces) {
    const id = `${ace.path.toUpperCase()}|${ace.sid}`;
    if (seen.has(id)) continue;
    seen.add(id);
    pairs.push({ path: ace.path, sid: ace.sid });
  }
  pairs.sort((a, b) => depth(b.path) - depth(a.path));
  const placeholders = [...journal.placeholders].sort((a, b) => depth(b) - depth(a));
  return [...pairs.map((p) => ({ kind: "remove-aces" as const, ...p })), ...placeholders.map((path) => ({ kind: "remove-placeholder" as const, path }))];
}

/** Decides what to do with the journal found at the start of a run. */
export function decideRecovery(journal: Journal | null, isAlive: (pid: number) => boolean, selfPid: number): Recovery {
  if (journal === null) return { action: "none" };
  if (journal.pid !== selfPid && isAlive(journal.pid)) return { action: "busy", pid: journal.pid };
  return { action: "undo", journal, steps: undoSteps(journal) };
}

/** Host operations the undo needs (the native addon on Windows; fakes in tests). */
export interface UndoOps {
  /** Removes every explicit ACE naming `sid` from the object's DACL; a missing object is not an error. */
  removeAces(path: string, sid: string): void;
  /** Removes the directory if it exists and is empty. */
  removeEmptyDirectory(path: string): void;
}

/** Runs the undo steps; returns the failures (the journal must then be kept for the next run). */
export function runUndo(steps: readonly UndoStep[], ops: UndoOps): string[] {
  const failures: string[] = [];
  for (const step of steps) {
    try {
      if (step.kind === "remove-aces") ops.removeAces(step.path, step.sid);
      else ops.removeEmptyDirectory(step.path);
    } catch (error) {
      failures.push(`${step.kind} ${step.path}: ${(error as Error).message}`);
    }
  }
  return failures;
}

/** File operations on the journal (exclusive create = lock; flushed before any change is made). */
export const journalFile = {
  /** Creates the journal exclusively; false when one already exists. */
  create(path: string, journal: Journal): boolean {
    mkdirSync(dirname(path), { recursive: true });
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
    try {
      writeSync(fd, serializeJournal(journal));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return true;
  },
  read(path: string): Journal | null {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    return parseJournal(text, path);
  },
  remove(path: string): void {
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  },
};

/** True when a process with this id exists (signal 0 probes without touching it). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Undoes a crashed run's leftovers (if any) and takes the lock for a new run. Throws when another live
 * run holds the lock or when leftovers cannot be undone (fail closed: never stack a run on unknown ACLs).
 */
export function acquireRun(path: string, journal: Journal, ops: UndoOps, isAlive: (pid: number) => boolean = processAlive): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (journalFile.create(path, journal)) return;
    const recovery = decideRecovery(journalFile.read(path), isAlive, journal.pid);
    if (recovery.action === "busy") throw new Error(`another cordon run (pid ${recovery.pid}) is using the Windows sandbox user; wait for it to finish (journal ${path})`);
    if (recovery.action === "undo") {
      const failures = runUndo(recovery.steps, ops);
      if (failures.length > 0) throw new Error(`could not undo the ACL changes of an earlier cordon run (journal ${path}): ${failures.join("; ")}`);
      journalFile.remove(path);
    }
  }
  throw new Error(`could not take the cordon run lock ${path}`);
}

/** Undoes this run's changes and releases the lock; returns failures (then the journal stays for the next run). */
export function finishRun(path: string, journal: Journal, ops: UndoOps): string[] {
  const failures = runUndo(undoSteps(journal), ops);
  if (failures.length === 0) journalFile.remove(path);
  return failures;
}
