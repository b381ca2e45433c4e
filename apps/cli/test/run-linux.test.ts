// `cordon run` and `cordon doctor` end to end on Linux: exit codes, stdio, and real enforcement.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, makeSandbox } from "./helpers.js";

const onLinux = process.platform === "linux";
if (!onLinux) console.warn(`SKIPPED run-linux.test.ts: the Linux backend only runs on Linux (this is ${process.platform})`);

describe.runIf(onLinux)("cordon run (Linux)", () => {
  it("passes the command's exit code through", () => {
    const r = makeSandbox().cli(["run", "--", "sh", "-c", "exit 7"]);
    expect(r.code, r.stderr).toBe(7);
  });

  it("reports death by signal N as 128+N", () => {
    const r = makeSandbox().cli(["run", "--", "sh", "-c", "kill -TERM $$"]);
    expect(r.code, r.stderr).toBe(143);
  });

  it("exits 127 for a command that does not exist and 126 for one that cannot be executed", () => {
    const sb = makeSandbox();
    expect(sb.cli(["run", "--", "cordon-no-such-command"]).code).toBe(127);
    const script = sb.write("repo/not-exec.sh", "#!/bin/sh\necho hi\n");
    chmodSync(script, 0o644);
    expect(sb.cli(["run", "--", script]).code).toBe(126);
  });

  it("passes stdin, stdout and stderr through", () => {
    const sb = makeSandbox();
    const r = spawnSync(process.execPath, [CLI, "run", "--", "sh", "-c", "read line; echo out:$line; echo err >&2"], {
      cwd: sb.repo,
      env: sb.env,
      input: "hello\n",
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("out:hello\n");
    expect(r.stderr).toContain("err");
  });

  it("writes inside the workspace and not outside it (host-side check)", () => {
    const sb = makeSandbox();
    const outside = join(sb.home, "escaped");
    const r = sb.cli(["run", "--", "sh", "-c", `echo in > inside.txt; echo out > ${outside}; exit 0`]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, "inside.txt"), "utf8")).toBe("in\n");
    expect(existsSync(outside)).toBe(false);
  });

  it(":read-only cannot write even the workspace; the allowed control can read it", () => {
    const sb = makeSandbox();
    sb.write("repo/readme", "content");
    const r = sb.cli(["run", "-p", ":read-only", "--", "sh", "-c", "cat readme; touch created"]);
    expect(r.stdout).toContain("content");
    expect(r.code).not.toBe(0);
    expect(existsSync(join(sb.repo, "created"))).toBe(false);
  });

  it("protects .git under the writable workspace", () => {
    const sb = makeSandbox();
    const r = sb.cli(["run", "--", "sh", "-c", "echo '[core]' >> .git/config"]);
    expect(r.code).not.toBe(0);
    expect(existsSync(join(sb.repo, ".git", "config"))).toBe(false);
  });

  it("gives the command the policy's environment", () => {
    const sb = makeSandbox();
    const r = sb.cli(["run", "--", "sh", "-c", 'echo "$CORDON_SANDBOX:${GH_TOKEN:-none}"'], { env: { GH_TOKEN: "s3cr3t" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(":workspace:none");
  });

  it("refuses a config error with 125 and does not run the command", () => {
    const sb = makeSandbox();
    sb.write("cordon-home/config.toml", "[permissions.a.network]\nenabeld = true\n");
    const marker = join(sb.repo, "ran");
    const r = sb.cli(["run", "--", "touch", marker]);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain("enabeld");
    expect(existsSync(marker)).toBe(false);
  });
});

describe.runIf(onLinux)("cordon doctor (Linux)", () => {
  it("reports the backend's capabilities as JSON", () => {
    const r = makeSandbox().cli(["doctor", "--json"]);
    const report = JSON.parse(r.stdout) as { platform: string; backend: string; ready: boolean; capabilities: Record<string, { available: boolean }>; problems: string[] };
    expect(report.platform).toBe("linux");
    expect(report.backend).toBe("@cordon/enforce-linux");
    expect(typeof report.ready).toBe("boolean");
    expect(Object.keys(report.capabilities).length).toBeGreaterThan(0);
    expect(Array.isArray(report.problems)).toBe(true);
    expect(r.code).toBe(report.ready ? 0 : 3);
  });
});
