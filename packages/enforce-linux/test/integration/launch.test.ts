// launch(): exit codes (128+N for signals), abort kills the whole tree, :danger-full-access runs directly,
// probe() reports this host, and the command never starts when planning refuses.
import { spawn as spawnHost, spawnSync } from "node:child_process";
import { existsSync, linkSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { linuxBackend } from "../../src/backend.js";
import { spawn, SandboxRefusedError } from "../../src/spawn.js";
import { makePolicy, rule } from "../helpers/policy.js";
import { PACKAGE_DIR, ensureBuilt, realRunBlocker } from "../helpers/sandbox.js";

const blocker = realRunBlocker();
if (blocker) console.warn(`SKIPPING the Linux launch tests: ${blocker}`);
const ws = mkdtempSync("/tmp/cordon-launch-");
afterAll(() => rmSync(ws, { recursive: true, force: true }));
const policy = () => makePolicy({ rules: [rule("/", "read"), rule(ws, "write")], cwd: ws });

describe.runIf(!blocker)("launch", () => {
  it("passes the exit code through", async () => {
    const p = await spawn(policy(), ["sh", "-c", "exit 42"], { stdio: "ignore" });
    expect((await p.exited).code).toBe(42);
  });

  it("reports 128+N when the command is killed by signal N", async () => {
    const p = await spawn(policy(), ["sh", "-c", "kill -TERM $$"], { stdio: "ignore" });
    expect((await p.exited).code).toBe(143);
  });

  it("returns 127 for a missing command (from the helper), and the policy is still enforced", async () => {
    const p = await spawn(policy(), ["/nonexistent/cmd"], { stdio: "ignore" });
    expect((await p.exited).code).toBe(127);
  });

  it("abort kills the whole sandboxed tree, daemonised children included", async () => {
    const controller = new AbortController();
    const tag = `sleep 37.${process.pid}`;
    const p = await spawn(policy(), ["sh", "-c", `setsid ${tag} & ${tag}`], { stdio: "ignore", signal: controller.signal });
    await new Promise((r) => setTimeout(r, 800));
    expect(spawnSync("pgrep", ["-f", tag], { encoding: "utf8" }).stdout.trim()).not.toBe("");
    controller.abort();
    const status = await p.exited;
    expect(status.code).toBe(137);
    expect(spawnSync("pgrep", ["-f", tag], { encoding: "utf8" }).stdout.trim()).toBe("");
  });

  it("forwards SIGINT to the command (it can clean up and choose its exit code)", async () => {
    ensureBuilt();
    const runner = spawnHost(process.execPath, [`${PACKAGE_DIR}/test/helpers/runner.mjs`], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    runner.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    const ready = `${ws}/ready-${process.pid}`;
    runner.stdin!.end(JSON.stringify({ policy: policy(), argv: ["sh", "-c", `trap 'echo got-int; exit 42' INT; touch ${ready}; sleep 30 & wait`] }));
    // Signal only once the trap is installed inside the sandbox (no timing assumptions).
    while (!existsSync(ready)) await new Promise((r) => setTimeout(r, 50));
    runner.kill("SIGINT");
    await new Promise((r) => runner.once("close", r));
    const result = JSON.parse(out) as { code: number; stdout: string };
    expect(result.stdout).toContain("got-int");
    expect(result.code).toBe(42);
  }, 60_000);

  it("refuses before running anything, with a typed error", async () => {
    const marker = `${ws}/never`;
    // A denied file with a second hard link cannot be masked under every name (FS-06): refused.
    writeFileSync(`${ws}/secret.env`, "canary");
    linkSync(`${ws}/secret.env`, `${ws}/alias.txt`);
    const refused = makePolicy({ rules: [rule("/", "read"), rule(ws, "write"), rule(`${ws}/secret.env`, "deny")], cwd: ws });
    await expect(spawn(refused, ["touch", marker], { stdio: "ignore" })).rejects.toBeInstanceOf(SandboxRefusedError);
    expect(existsSync(marker)).toBe(false);
    rmSync(`${ws}/secret.env`);
    rmSync(`${ws}/alias.txt`);
  });

  it("runs :danger-full-access directly (no sandbox: a write outside any root succeeds)", async () => {
    const outside = `${ws}-direct-${process.pid}`;
    const p = await spawn(makePolicy({ rules: [], unrestricted: true, cwd: ws }), ["touch", outside], { stdio: "ignore" });
    expect((await p.exited).code).toBe(0);
    expect(existsSync(outside)).toBe(true);
    rmSync(outside);
  });

  it("denialLogLimits says plainly what is not observable", async () => {
    const p = await spawn(policy(), ["true"], { stdio: "ignore", logDenials: true });
    const status = await p.exited;
    expect(status.denials).toEqual([]);
    // bwrap's masks and read-only mounts deny in the filesystem, which no kernel facility logs (test/denials/ covers the rest).
    expect(status.denialLogLimits.join("\n")).toContain("are not logged by any kernel facility");
  });
});

describe.runIf(!blocker)("probe", () => {
  it("reports bubblewrap, user namespaces, Landlock, seccomp and the helper on this host", async () => {
    const report = await linuxBackend.probe();
    expect(report.platform).toBe("linux");
    expect(report.backend).toBe("@cordon/enforce-linux");
    expect(report.capabilities.bubblewrap?.detail).toContain("/usr/bin/bwrap 0.8.0");
    expect(report.capabilities.userNamespaces?.available).toBe(true);
    expect(report.capabilities.landlock?.available).toBe(true);
    expect(report.capabilities.seccomp?.available).toBe(true);
    expect(report.capabilities.network?.available).toBe(true);
    expect(report.ready).toBe(true);
    expect(await linuxBackend.probe()).toBe(report); // cached per process
  });
});
