// Journal and cleanup logic: write-ahead record, lock, crash recovery, undo order and failure handling.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assumedFacts } from "../src/facts.js";
import { acquireRun, decideRecovery, finishRun, journalFor, parseJournal, runUndo, serializeJournal, undoSteps, type UndoOps } from "../src/journal.js";
import { planFor } from "../src/planner.js";
import { COMMAND, policy, protectedPath, rule } from "./helpers.js";

function samplePlan() {
  const result = planFor(
    policy({
      rules: [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/repo/docs", "read"), rule("C:/Users/user/.ssh", "deny")],
      protectedPaths: [protectedPath("C:/Users/user/repo/.codex", ".codex", { state: "missing" })],
    }),
    COMMAND,
    assumedFacts({ capabilitySid: "S-1-5-21-9-9-9-9" }),
  );
  if (!result.ok) throw new Error("refused");
  return result.plan;
}

/** Records calls; fails for paths listed in `failOn`. */
function fakeOps(failOn: string[] = []): UndoOps & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    removeAces(path, sid) {
      calls.push(`aces ${path} ${sid}`);
      if (failOn.includes(path)) throw new Error("Access is denied. (5)");
    },
    removeEmptyDirectory(path) {
      calls.push(`dir ${path}`);
    },
  };
}

describe("journal (pure)", () => {
  it("records every planned ACE and placeholder", () => {
    const plan = samplePlan();
    const journal = journalFor(plan, 4242, new Date("2026-01-02T03:04:05Z"));
    expect(journal.pid).toBe(4242);
    expect(journal.createdAt).toBe("2026-01-02T03:04:05.000Z");
    expect(journal.aces).toHaveLength(plan.aces.length);
    expect(journal.placeholders).toEqual(["C:\\Users\\user\\repo\\.codex"]);
    expect(parseJournal(serializeJournal(journal), "j")).toEqual(journal);
  });

  it("undo removes each (path, SID) once, deepest first, then placeholders", () => {
    const journal = journalFor(samplePlan(), 1, new Date(0));
    const steps = undoSteps(journal);
    const aceSteps = steps.filter((s) => s.kind === "remove-aces");
    const ids = aceSteps.map((s) => `${s.path}|${s.kind === "remove-aces" ? s.sid : ""}`);
    expect(new Set(ids).size).toBe(ids.length);
    const depths = aceSteps.map((s) => s.path.split("\\").length);
    expect([...depths].sort((a, b) => b - a)).toEqual(depths);
    expect(steps.at(-1)).toEqual({ kind: "remove-placeholder", path: "C:\\Users\\user\\repo\\.codex" });
    // the repo root carries two SIDs: both are removed
    expect(aceSteps.filter((s) => s.path === "C:\\Users\\user\\repo")).toHaveLength(2);
  });

  it("recovery: none without a journal, busy while its owner lives, undo after a crash", () => {
    const journal = journalFor(samplePlan(), 77, new Date(0));
    expect(decideRecovery(null, () => true, 1)).toEqual({ action: "none" });
    expect(decideRecovery(journal, (pid) => pid === 77, 1)).toEqual({ action: "busy", pid: 77 });
    const recovery = decideRecovery(journal, () => false, 1);
    expect(recovery.action).toBe("undo");
    if (recovery.action === "undo") expect(recovery.steps).toEqual(undoSteps(journal));
    // our own pid (a reused journal of this process) is never "busy"
    expect(decideRecovery(journal, () => true, 77).action).toBe("undo");
  });

  it("runUndo keeps going after a failure and reports it", () => {
    const journal = journalFor(samplePlan(), 1, new Date(0));
    const ops = fakeOps(["C:\\Users\\user\\.ssh"]);
    const failures = runUndo(undoSteps(journal), ops);
    expect(failures).toEqual([`remove-aces C:\\Users\\user\\.ssh: Access is denied. (5)`]);
    expect(ops.calls.length).toBe(undoSteps(journal).length);
  });

  it.each([
    ["not JSON", "{", "is not valid JSON"],
    ["wrong version", JSON.stringify({ version: 2 }), "has an unexpected shape"],
    ["ace without sid", JSON.stringify({ version: 1, pid: 1, userSid: "S-1-1", capabilitySid: "S-1-2", aces: [{ path: "C:\\x" }], placeholders: [] }), "has an unexpected shape"],
  ])("a corrupt journal (%s) is an error naming the file, never ignored", (_n, text, message) => {
    expect(() => parseJournal(text, "C:\\state\\journal.json")).toThrow(`cordon journal C:\\state\\journal.json ${message}`);
  });
});

describe("journal files (host side)", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cordon-journal-"));
    path = join(dir, "state", "journal.json");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("acquireRun writes the journal before anything is applied, finishRun undoes and removes it", () => {
    const journal = journalFor(samplePlan(), process.pid, new Date(0));
    const ops = fakeOps();
    acquireRun(path, journal, ops, () => false);
    expect(parseJournal(readFileSync(path, "utf8"), path)).toEqual(journal);
    expect(ops.calls).toEqual([]);
    expect(finishRun(path, journal, ops)).toEqual([]);
    expect(existsSync(path)).toBe(false);
    expect(ops.calls.length).toBe(undoSteps(journal).length);
  });

  it("a second run is refused while the first one lives", () => {
    const first = journalFor(samplePlan(), 999_991, new Date(0));
    const ops = fakeOps();
    acquireRun(path, first, ops, () => false);
    const second = journalFor(samplePlan(), 999_992, new Date(0));
    expect(() => acquireRun(path, second, ops, (pid) => pid === 999_991)).toThrow("another cordon run (pid 999991) is using the Windows sandbox user");
    expect(ops.calls).toEqual([]);
    expect(parseJournal(readFileSync(path, "utf8"), path).pid).toBe(999_991);
  });

  it("a crashed run's leftovers are undone before the next run takes the lock", () => {
    const crashed = journalFor(samplePlan(), 999_993, new Date(0));
    const ops = fakeOps();
    acquireRun(path, crashed, ops, () => false);
    const next = journalFor(samplePlan(), 999_994, new Date(1));
    acquireRun(path, next, ops, () => false);
    expect(ops.calls.length).toBe(undoSteps(crashed).length);
    expect(parseJournal(readFileSync(path, "utf8"), path).pid).toBe(999_994);
  });

  it("leftovers that cannot be undone refuse the next run and keep the journal", () => {
    const crashed = journalFor(samplePlan(), 999_995, new Date(0));
    acquireRun(path, crashed, fakeOps(), () => false);
    const next = journalFor(samplePlan(), 999_996, new Date(1));
    expect(() => acquireRun(path, next, fakeOps(["C:\\Users\\user\\.ssh"]), () => false)).toThrow(
      "could not undo the ACL changes of an earlier cordon run",
    );
    expect(parseJournal(readFileSync(path, "utf8"), path).pid).toBe(999_995);
  });

  it("a failed cleanup keeps the journal for the next run", () => {
    const journal = journalFor(samplePlan(), process.pid, new Date(0));
    acquireRun(path, journal, fakeOps(), () => false);
    // the repo root carries ACEs for two SIDs: both removals fail and are reported
    expect(finishRun(path, journal, fakeOps(["C:\\Users\\user\\repo"]))).toHaveLength(2);
    expect(existsSync(path)).toBe(true);
  });
});
