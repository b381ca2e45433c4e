// Placeholder journal (FS-05): placeholders are removed after exit, and journals of dead launchers are
// cleaned at the next run; live launchers' journals and non-empty paths are left alone.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { finishJournal, recoverStaleJournals, removePlaceholders, writeJournal } from "../../src/runtime/journal.js";
import { ensureRuntimeDir, runtimeDirFor, RuntimeDirError } from "../../src/runtime/runtime-dir.js";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync("/tmp/cordon-journal-test-");
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("placeholder journal", () => {
  it("removes empty placeholders deepest first and keeps anything with content", () => {
    const ws = tmp();
    mkdirSync(path.join(ws, "a/b"), { recursive: true });
    writeFileSync(path.join(ws, "a/b/f"), "");
    mkdirSync(path.join(ws, ".codex"), { mode: 0o500 }); // as cordon creates placeholders
    writeFileSync(path.join(ws, "kept"), "user data");
    const left = removePlaceholders([
      { path: path.join(ws, "a"), kind: "directory" },
      { path: path.join(ws, "a/b"), kind: "directory" },
      { path: path.join(ws, "a/b/f"), kind: "file" },
      { path: path.join(ws, ".codex"), kind: "directory" },
      { path: path.join(ws, "kept"), kind: "file" },
      { path: path.join(ws, "gone"), kind: "file" },
    ]);
    expect(existsSync(path.join(ws, "a"))).toBe(false);
    expect(existsSync(path.join(ws, ".codex"))).toBe(false);
    expect(existsSync(path.join(ws, "kept"))).toBe(true);
    expect(left).toEqual([path.join(ws, "kept")]);
  });

  it("never removes protected metadata without cordon's marker (a user's empty .git), but removes a marked one", () => {
    const ws = tmp();
    mkdirSync(path.join(ws, ".git"), { mode: 0o755 }); // the user's own empty directory
    writeFileSync(path.join(ws, ".cordon"), "", { mode: 0o400 }); // a marked file placeholder
    const left = removePlaceholders([
      { path: path.join(ws, ".git"), kind: "directory" },
      { path: path.join(ws, ".cordon"), kind: "file" },
    ]);
    expect(left).toEqual([path.join(ws, ".git")]);
    expect(existsSync(path.join(ws, ".git"))).toBe(true);
    expect(existsSync(path.join(ws, ".cordon"))).toBe(false);
  });

  it("spares placeholders another live run still uses", () => {
    const ws = tmp();
    mkdirSync(path.join(ws, ".agents"), { mode: 0o500 });
    expect(removePlaceholders([{ path: path.join(ws, ".agents"), kind: "directory" }], new Set([path.join(ws, ".agents")]))).toEqual([]);
    expect(existsSync(path.join(ws, ".agents"))).toBe(true);
  });

  it("cleans a dead launcher's journal at the next run, but not a live one's", () => {
    const runtime = tmp();
    mkdirSync(path.join(runtime, "journal"));
    const ws = tmp();
    const dead = spawnSync("true").pid!;
    mkdirSync(path.join(ws, ".agents"), { mode: 0o500 });
    writeFileSync(path.join(runtime, "journal", `${dead}-x.json`), JSON.stringify({ pid: dead, startTime: "1", placeholders: [{ path: path.join(ws, ".agents"), kind: "directory" }] }));
    const live = writeJournal(runtime, [{ path: path.join(ws, ".codex"), kind: "directory" }]);
    mkdirSync(path.join(ws, ".codex"), { mode: 0o500 }); // as cordon creates placeholders
    expect(recoverStaleJournals(runtime)).toEqual([]);
    expect(existsSync(path.join(ws, ".agents"))).toBe(false);
    expect(existsSync(path.join(ws, ".codex"))).toBe(true);
    expect(readdirSync(path.join(runtime, "journal"))).toEqual([path.basename(live)]);
    finishJournal(live, [{ path: path.join(ws, ".codex"), kind: "directory" }]);
    expect(existsSync(path.join(ws, ".codex"))).toBe(false);
    expect(readdirSync(path.join(runtime, "journal"))).toEqual([]);
  });
});

describe("runtime dir", () => {
  it("is /run/cordon for root and /tmp/cordon-<uid> without a private XDG_RUNTIME_DIR", () => {
    expect(runtimeDirFor(0, "/run/user/0")).toBe("/run/cordon");
    expect(runtimeDirFor(4242, "/nonexistent")).toBe("/tmp/cordon-4242");
    expect(runtimeDirFor(4242, "relative/dir")).toBe("/tmp/cordon-4242");
  });

  it("creates a private dir with a mode-000 empty file, and refuses one that is not private", () => {
    const base = tmp();
    const uid = process.geteuid!();
    const dir = path.join(base, "rt");
    ensureRuntimeDir(dir, uid);
    ensureRuntimeDir(dir, uid); // idempotent
    expect(existsSync(path.join(dir, "empty"))).toBe(true);
    expect(() => ensureRuntimeDir(dir, uid + 1)).toThrow(RuntimeDirError);
    const bad = path.join(base, "bad");
    mkdirSync(bad, { mode: 0o777 });
    spawnSync("chmod", ["777", bad]);
    expect(() => ensureRuntimeDir(bad, uid)).toThrow(`cordon runtime dir ${bad} is not a private directory owned by uid ${uid}; remove it and retry`);
  });
});
