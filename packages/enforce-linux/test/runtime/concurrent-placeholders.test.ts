// Concurrent runs sharing one writable root with missing protected metadata (FS-05 under concurrency):
// N launcher processes at once, many rounds, as root and as cordon-test. Every run must succeed, see every
// entry uncreatable, and nothing may be left on the host afterwards. Another user's placeholder is refused.
import { spawn as spawnHost } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makePolicy, metadata, rule } from "../helpers/policy.js";
import { ensureBuilt, ensureTestUser, realRunBlocker, runSandboxed, TEST_USER, type RunAs, type RunResult } from "../helpers/sandbox.js";

const blocker = realRunBlocker();
if (blocker) console.warn(`SKIPPING the concurrent placeholder tests: ${blocker}`);
const NAMES = [".agents", ".codex", ".cordon", ".git"];
const RUNNERS = 8;
const ROUNDS = 4;
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function workspace(as: RunAs): string {
  const ws = mkdtempSync("/tmp/cordon-concurrent-");
  chmodSync(ws, 0o1777); // shared like /tmp: both users can create entries, sticky
  roots.push(ws);
  void as;
  return ws;
}

const policyFor = (ws: string) =>
  makePolicy({ rules: [rule("/", "read"), rule(ws, "write")], protectedPaths: NAMES.map((n) => metadata(`${ws}/${n}`, "missing", ws)), cwd: ws });

/** Inside: each name must be uncreatable (as a directory, as a file, and inside it); a control file must be creatable. */
const probe = (ws: string, id: number) =>
  [
    `for n in ${NAMES.join(" ")}; do`,
    `  mkdir ${ws}/$n 2>/dev/null && echo "CREATED dir $n"`,
    `  touch ${ws}/$n/x 2>/dev/null && echo "CREATED in $n"`,
    `  (: > ${ws}/$n) 2>/dev/null && echo "CREATED file $n"`,
    "done",
    `echo control > ${ws}/control-${id} && rm ${ws}/control-${id} && echo ok`,
  ].join("\n");

function runAsync(as: RunAs, ws: string, id: number): Promise<RunResult> {
  const input = JSON.stringify({ policy: policyFor(ws), argv: ["sh", "-c", probe(ws, id)] });
  const runner = path.resolve(import.meta.dirname, "../helpers/runner.mjs");
  const [cmd, ...args] = as === "root" ? [process.execPath, runner] : ["runuser", "-u", TEST_USER, "--", process.execPath, runner];
  return new Promise((resolve) => {
    const child = spawnHost(cmd!, args, { stdio: ["pipe", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("close", () => {
      try {
        resolve(JSON.parse(out) as RunResult);
      } catch {
        resolve({ error: `runner output: ${out} ${err}` });
      }
    });
    child.stdin.end(input);
  });
}

describe.runIf(!blocker)("concurrent runs over one writable root with missing metadata", () => {
  for (const as of ["root", "user"] as const) {
    it(`${RUNNERS} launchers at once, ${ROUNDS} rounds, as ${as}: all succeed, nothing created inside, nothing left`, async () => {
      ensureBuilt();
      if (as === "user") ensureTestUser();
      const ws = workspace(as);
      for (let round = 0; round < ROUNDS; round++) {
        const results = await Promise.all(Array.from({ length: RUNNERS }, (_, i) => runAsync(as, ws, round * RUNNERS + i)));
        for (const r of results) {
          expect(r.error, r.stderr).toBeUndefined();
          expect(r.refused).toBeUndefined();
          expect(r.stderr ?? "").not.toMatch(/bwrap|warning/);
          expect(r.stdout, JSON.stringify(r)).toBe("ok\n"); // no CREATED line: every entry was uncreatable
          expect(r.code).toBe(0);
        }
        expect(readdirSync(ws)).toEqual([]); // FS-05: the last run out removed every placeholder
      }
    }, 300_000);
  }

  it("refuses, naming the path and uid, to share another user's placeholder (its run would remove it)", () => {
    ensureBuilt();
    const owner = ensureTestUser();
    const ws = workspace("root");
    const foreign = path.join(ws, ".agents");
    mkdirSync(foreign, { mode: 0o500 }); // what a cordon-test run creates
    chownSync(foreign, owner.uid, owner.gid);
    const r = runSandboxed("root", policyFor(ws), ["sh", "-c", "echo RAN"]);
    expect(r.stdout ?? "").not.toContain("RAN");
    expect(r.error).toContain(`${foreign} is a placeholder of a concurrent cordon run of another user (uid ${owner.uid})`);
    expect(readdirSync(ws).sort()).toEqual([".agents"]); // the other user's placeholder is untouched, ours are gone
  });

  it("control: an empty unmarked user directory is mounted read-only and kept", () => {
    ensureBuilt();
    const ws = workspace("root");
    mkdirSync(path.join(ws, ".git"), { mode: 0o755 });
    const r = runSandboxed("root", policyFor(ws), ["sh", "-c", `touch ${ws}/.git/x 2>/dev/null && echo CREATED; echo ok`]);
    expect(r.stdout).toBe("ok\n");
    expect(readdirSync(ws)).toEqual([".git"]);
    expect(readdirSync(path.join(ws, ".git"))).toEqual([]);
  });
});
