// Unix socket mediation fails closed: a malformed allowlist, and every injected fault in the split into
// supervisor and command (strace), make cordon-exec exit 125 before the command runs, with the message
// of the step that failed. Also: the pidfd fallback for kernels without PIDFD_THREAD (injected EINVAL).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, realpathSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeExecSpec } from "../../src/exec-spec-encode.js";
import type { ExecSpec } from "../../src/exec-spec.js";
import { supportsUnixSocketMediation } from "../../src/native.js";
import { BASE_SPEC, createWorkspace, helperPath, isLinux, runHelper, seccompProgram, TEST_USERS, wire, type Workspace } from "./harness.js";
import { compileUnixProbe, countingServer, type CountingServer } from "./unix-fixtures.js";

const mediation = isLinux && supportsUnixSocketMediation();
const hasStrace = mediation && spawnSync("strace", ["-V"]).status === 0;
if (isLinux && !mediation) console.warn("unix mediation setup tests: SKIPPED — supportsUnixSocketMediation() is false on this kernel");
if (mediation && !hasStrace) console.warn("unix mediation fault-injection tests: SKIPPED — strace is not installed");

let ws: Workspace;
let unixProbe: string;
let server: CountingServer;
beforeAll(async () => {
  if (!mediation) return;
  ws = createWorkspace();
  unixProbe = compileUnixProbe(ws);
  server = await countingServer(`${realpathSync(ws.dir)}/a.sock`, "pong-a");
});
afterAll(async () => {
  await server?.close();
  ws?.cleanup();
});

const FLAG_SECCOMP = 1 << 3;
const FLAG_UNIX_SOCKETS = 1 << 6;

describe.runIf(mediation)("cordon-exec rejects a malformed unix socket allowlist (125, command never runs)", () => {
  const program = () => seccompProgram({ network: "none", allowUnixSockets: true });
  /** A spec with the seccomp program and then `allow` parts, no keep fds. */
  const withAllow = (...allow: (string | number)[]) => wire("CDX1", FLAG_SECCOMP | FLAG_UNIX_SOCKETS, program().length, program(), ...allow, 0);
  const malformed: [string, () => Uint8Array, string][] = [
    ["mediation without a seccomp program", () => wire("CDX1", FLAG_UNIX_SOCKETS, 0, 0), "unix socket mediation without a seccomp program"],
    ["more than 1024 paths", () => withAllow(1025), "unix socket count out of range"],
    ["a relative path", () => withAllow(1, 3, "a/b"), "unix socket path is not an absolute canonical path"],
    ["a trailing slash", () => withAllow(1, 3, "/a/"), "unix socket path is not an absolute canonical path"],
    ["an empty component", () => withAllow(1, 4, "/a//"), "unix socket path is not an absolute canonical path"],
    ["a . component", () => withAllow(1, 5, "/./ab"), "unix socket path is not an absolute canonical path"],
    ["a .. component", () => withAllow(1, 6, "/a/../"), "unix socket path is not an absolute canonical path"],
    ["the root", () => withAllow(1, 1, "/"), "unix socket path is not an absolute canonical path"],
    ["a NUL byte", () => withAllow(1, 3, "/a\0"), "unix socket path is truncated, empty, too long or contains NUL"],
    ["an empty path", () => withAllow(1, 0), "unix socket path is truncated, empty, too long or contains NUL"],
    ["a path longer than 4095 bytes", () => withAllow(1, 4096, `/${"a".repeat(4095)}`), "unix socket path is truncated, empty, too long or contains NUL"],
    ["a path listed twice", () => withAllow(2, 2, "/a", 2, "/a"), "unix socket path is listed twice"],
    ["a count past the end", () => withAllow(2, 2, "/a").subarray(0, -4), "unix socket path is truncated, empty, too long or contains NUL"],
  ];
  for (const user of TEST_USERS) {
    it.each(malformed)(`[${user.name}] %s`, async (_label, bytes, problem) => {
      const marker = ws.file(`malformed-${Math.random()}`);
      const result = await runHelper({ spec: bytes(), command: [ws.probe, "write", marker], user });
      expect(result.stderr).toBe(`cordon-exec: malformed spec: ${problem}: Invalid argument\n`);
      expect(result.code).toBe(125);
      expect(existsSync(marker)).toBe(false);
    });
  }

  it("control: the hand-built encoding equals encodeExecSpec's and runs the command under mediation", async () => {
    const bytes = withAllow(2, 2, "/a", 7, "/b/c.sk");
    expect(bytes).toEqual(encodeExecSpec({ ...BASE_SPEC, seccompProgram: program(), unixSockets: { allow: ["/a", "/b/c.sk"] } }));
    const marker = ws.file("malformed-control");
    const result = await runHelper({ spec: bytes, command: [ws.probe, "write", marker] });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(existsSync(marker)).toBe(true);
  });
});

/** Runs the helper under strace -f with `inject` (null: no fault) and the mediated spec; async, so the test's servers keep serving. */
async function runInjected(inject: string | null, command: string[]): Promise<{ status: number | null; stderr: string; stdout: string }> {
  const spec: ExecSpec = { ...BASE_SPEC, newSession: true, seccompProgram: seccompProgram({ network: "none", allowUnixSockets: true }), unixSockets: { allow: [server.path] } };
  const specFile = ws.file(`spec-${Math.random()}`);
  writeFileSync(specFile, encodeExecSpec(spec));
  const strace = ["strace", "-f", "-o", "/dev/null", ...(inject === null ? [] : ["-e", `inject=${inject}`])];
  const script = `exec 3<"$1"; shift; exec "$@"`;
  const child = spawn("sh", ["-c", script, "sh", specFile, ...strace, helperPath(), "--spec-fd", "3", "--", ...command], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const status = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { status, stderr, stdout };
}

describe.runIf(hasStrace)("unix socket mediation fails closed under injected faults", () => {
  const faults: [string, string, string][] = [
    ["socketpair", "socketpair:error=EMFILE", "cordon-exec: unix socket mediation: socketpair: Too many open files\n"],
    ["the fork", "clone:error=EAGAIN:when=1", "cordon-exec: unix socket mediation: fork: Resource temporarily unavailable\n"],
    ["installing the listener filter", "seccomp:error=EBUSY:when=1", "cordon-exec: seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER): Device or resource busy\n"],
    ["handing over the listener", "sendmsg:error=ENOBUFS", "cordon-exec: unix socket mediation: handing the listener to the supervisor: No buffer space available\n"],
    ["receiving the listener", "recvmsg:error=ECONNRESET", "cordon-exec: unix socket supervisor: receiving the listener from the command: Connection reset by peer\n"],
    ["the supervisor's signalfd", "signalfd4:error=ENOMEM", "cordon-exec: unix socket supervisor: signalfd: Cannot allocate memory\n"],
    [
      "reading the command's memory (Yama ptrace_scope 2, an LSM)",
      "process_vm_readv:error=EPERM",
      "cordon-exec: unix socket supervisor: cannot read the command's memory (ptrace access denied: Yama ptrace_scope >= 2, or an LSM): Operation not permitted\n",
    ],
    ["pidfd_getfd on the command", "pidfd_getfd:error=EPERM", "cordon-exec: unix socket supervisor: pidfd_getfd on the command: Operation not permitted\n"],
    ["/proc/self/fd", "readlinkat:error=ENOENT", "cordon-exec: unix socket supervisor: unix socket mediation needs /proc (for /proc/self/fd): No such file or directory\n"],
    // The supervisor's 2nd seccomp call installs its own filter (the 1st asks for the notification sizes).
    ["the supervisor's own filter", "seccomp:error=EINVAL:when=2", "cordon-exec: unix socket supervisor: seccomp(SECCOMP_SET_MODE_FILTER): Invalid argument\n"],
  ];

  it.each(faults)("refuses when %s fails", async (_label, inject, message) => {
    const marker = ws.file(`fault-${Math.random()}`);
    const result = await runInjected(inject, [ws.probe, "write", marker]);
    expect(result.stderr).toBe(message);
    expect(result.status).toBe(125);
    expect(existsSync(marker)).toBe(false);
  });

  it("control: without a fault the same spec runs the command under strace and reaches the allowed socket", async () => {
    const marker = ws.file("fault-control");
    expect(await runInjected(null, [ws.probe, "write", marker])).toEqual({ status: 0, stderr: "", stdout: "write ok\n" });
    expect(existsSync(marker)).toBe(true);
    expect(await runInjected(null, [unixProbe, "connect", "thread", server.path])).toEqual({ status: 0, stderr: "", stdout: "connect ok pong-a\n" });
  });

  it("finds the thread-group leader's pidfd when thread pidfds are missing (kernels before 6.9)", async () => {
    // The first pidfd_open (with PIDFD_THREAD, during the supervisor's setup) fails as on an old kernel;
    // the connect then comes from a non-leader thread, whose pidfd is found through /proc/<tid>/task.
    const before = server.connections();
    expect(await runInjected("pidfd_open:error=EINVAL:when=1", [unixProbe, "connect", "thread", server.path])).toEqual({ status: 0, stderr: "", stdout: "connect ok pong-a\n" });
    expect(server.connections()).toBe(before + 1);
  });
});
