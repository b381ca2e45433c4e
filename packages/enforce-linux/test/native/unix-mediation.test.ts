// Unix socket mediation (ExecSpec.unixSockets), for real, as root and unprivileged: only the allowlisted
// pathname socket is reachable — not another one, not through a symlink to it, not an abstract name, not
// by datagram, io_uring or a listener of the command's own, not by flipping the address mid-call — while
// the allowed one works (blocking, non-blocking, seqpacket, threads, relative paths) and data flows.
// Every refusal is paired with a control showing the target is reachable without cordon, and the servers
// count what actually reached them.
import { mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeExecSpec } from "../../src/exec-spec-encode.js";
import type { ExecSpec } from "../../src/exec-spec.js";
import { loadNative, supportsUnixSocketMediation } from "../../src/native.js";
import { BASE_SPEC, createWorkspace, helperPath, isLinux, isRoot, landlockSpec, runHelper, seccompProgram, TEST_USERS, type TestUser, type Workspace } from "./harness.js";
import { compileUnixProbe, countingServer, probeServer, startLive, type CountingServer, type ProbeServer } from "./unix-fixtures.js";

const abi = isLinux ? loadNative().landlockAbi() : 0;
const mediation = isLinux && supportsUnixSocketMediation();
if (isLinux && !mediation) console.warn("unix mediation tests: SKIPPED — supportsUnixSocketMediation() is false on this kernel");
if (mediation && abi < 6) console.warn(`unix mediation tests: Landlock ABI ${abi} < 6, so the signal-scope and TCP-port cases are SKIPPED`);

let ws: Workspace;
let probe: string;
let dir: string; // canonical workspace dir
let a: CountingServer; // allowed
let b: CountingServer; // not allowed
let abstract: CountingServer;
let seqAllowed: ProbeServer;
let seqDenied: ProbeServer;
let dgram: ProbeServer;
const abstractName = `cordon-test-${process.pid}`;

beforeAll(async () => {
  if (!mediation) return;
  ws = createWorkspace();
  probe = compileUnixProbe(ws);
  dir = realpathSync(ws.dir);
  a = await countingServer(`${dir}/a.sock`, "pong-a");
  b = await countingServer(`${dir}/b.sock`, "pong-b");
  abstract = await countingServer(`\0${abstractName}`, "pong-abstract");
  seqAllowed = await probeServer(probe, "seqpacket", `${dir}/s.sock`, "pong-s");
  seqDenied = await probeServer(probe, "seqpacket", `${dir}/t.sock`, "pong-t");
  dgram = await probeServer(probe, "dgram", `${dir}/d.sock`, "");
  symlinkSync(`${dir}/a.sock`, `${dir}/link-to-a.sock`);
  symlinkSync(`${dir}/b.sock`, `${dir}/link-to-b.sock`);
  mkdirSync(`${dir}/real`);
  symlinkSync(dir, `${dir}/real/up`); // a directory symlink on the way to a.sock
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), abstract?.close()]);
  for (const server of [seqAllowed, seqDenied, dgram]) server?.stop();
  ws?.cleanup();
});

/** The spec a sandbox with mediation gets: the main filter with AF_UNIX stream/seqpacket, Landlock, the allowlist. */
function mediatedSpec(allow: readonly string[], landlock: Partial<NonNullable<ExecSpec["landlock"]>> = {}): ExecSpec {
  return {
    ...BASE_SPEC,
    newSession: true,
    seccompProgram: seccompProgram({ network: "proxy", allowUnixSockets: true }),
    landlock: landlockSpec(ws, [{ path: dir, rights: "read" }], { scopeAbstractUnix: abi >= 6, minAbi: 1, ...landlock }),
    unixSockets: { allow },
  };
}

async function run(user: TestUser, args: string[], spec: ExecSpec | null = mediatedSpec([a.path, seqAllowed.path])): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const result = spec === null ? await runHelper({ spec: BASE_SPEC, command: [probe, ...args], user, direct: true }) : await runHelper({ spec, command: [probe, ...args], user });
  return { code: result.code, lines: result.stdout.split("\n").filter(Boolean), stderr: result.stderr };
}

describe.runIf(mediation)("unix socket mediation", () => {
  it("is reported as supported on this kernel (6.18, no Yama)", () => {
    expect(supportsUnixSocketMediation()).toBe(true);
  });

  for (const user of TEST_USERS) {
    describe(user.name, () => {
      it("reaches the allowed socket — blocking, non-blocking, from a thread, by a relative path — and data flows", async () => {
        const before = a.connections();
        for (const mode of ["stream", "nonblock", "thread", "relative"]) {
          expect(await run(user, ["connect", mode, a.path]), mode).toEqual({ code: 0, lines: ["connect ok pong-a"], stderr: "" });
        }
        expect(a.connections()).toBe(before + 4);
      });

      it("refuses a socket that is not listed with EACCES (control: reachable without cordon)", async () => {
        expect((await run(user, ["connect", "stream", b.path], null)).lines).toEqual(["connect ok pong-b"]);
        const before = b.connections();
        for (const mode of ["stream", "nonblock", "thread", "relative"]) {
          expect(await run(user, ["connect", mode, b.path]), mode).toEqual({ code: 1, lines: ["connect error EACCES"], stderr: "" });
        }
        expect(b.connections()).toBe(before);
      });

      it("resolves symlinks before deciding: a link to B is refused, a link to A (or through a linked directory) is allowed", async () => {
        const before = b.connections();
        expect((await run(user, ["connect", "stream", `${dir}/link-to-b.sock`])).lines).toEqual(["connect error EACCES"]);
        expect(b.connections()).toBe(before);
        expect((await run(user, ["connect", "stream", `${dir}/link-to-a.sock`])).lines).toEqual(["connect ok pong-a"]);
        expect((await run(user, ["connect", "stream", `${dir}/real/up/a.sock`])).lines).toEqual(["connect ok pong-a"]);
      });

      it("matches the canonical path only: allowing the symlink's own path does not open its target", async () => {
        const spec = mediatedSpec([`${dir}/link-to-a.sock`]);
        expect((await run(user, ["connect", "stream", `${dir}/link-to-a.sock`], spec)).lines).toEqual(["connect error EACCES"]);
        expect((await run(user, ["connect", "stream", a.path], spec)).lines).toEqual(["connect error EACCES"]);
      });

      it("refuses abstract addresses (control: the abstract server answers without cordon)", async () => {
        expect((await run(user, ["abstract", abstractName], null)).lines).toEqual(["abstract ok pong-abstract"]);
        const before = abstract.connections();
        expect((await run(user, ["abstract", abstractName])).lines).toEqual(["abstract error EACCES"]);
        expect(abstract.connections()).toBe(before);
      });

      it("has no datagram route to a pathname socket (control: the datagram server receives without cordon)", async () => {
        const before = dgram.lines().length;
        expect((await run(user, ["dgram", dgram.path], null)).lines).toEqual([
          "socket_dgram sent",
          "socket_raw sent",
          "socketpair_dgram sent",
          "socketpair_seqpacket_sendto sent",
          "stream_sendto EOPNOTSUPP",
        ]);
        await waitFor(() => dgram.lines().length === before + 3);
        expect(dgram.lines().slice(before)).toEqual(["received datagram", "received datagram", "received datagram"]);
        expect((await run(user, ["dgram", dgram.path])).lines).toEqual([
          "socket_dgram EPERM",
          "socket_raw EPERM",
          "socketpair_dgram EPERM",
          "socketpair_seqpacket_sendto sent", // to the pair's own peer: a connected seqpacket socket ignores the address
          "stream_sendto EOPNOTSUPP",
        ]);
        expect((await run(user, ["dgram", dgram.path], null)).lines[0]).toBe("socket_dgram sent"); // later datagrams still arrive…
        await waitFor(() => dgram.lines().length === before + 6);
        expect(dgram.lines()).toHaveLength(before + 6); // …and none came from the sandbox
      });

      it("mediates seqpacket sockets the same way", async () => {
        expect((await run(user, ["connect", "seqpacket", seqAllowed.path])).lines).toEqual(["connect ok pong-s"]);
        expect((await run(user, ["connect", "seqpacket", seqDenied.path], null)).lines).toEqual(["connect ok pong-t"]);
        const before = seqDenied.lines().length;
        expect((await run(user, ["connect", "seqpacket", seqDenied.path])).lines).toEqual(["connect error EACCES"]);
        expect(seqDenied.lines()).toHaveLength(before);
      });

      it("denies io_uring and a seccomp listener of the command's own (which could answer 'continue')", async () => {
        expect((await run(user, ["io_uring"])).lines).toEqual(["io_uring_setup EPERM"]);
        expect((await run(user, ["own-listener"])).lines).toEqual(["own-listener EPERM"]);
        expect((await run(user, ["own-listener"], null)).lines).toEqual(["own-listener sent"]); // control: allowed without cordon
      });

      it("cannot be tricked by flipping the address between the allowed and a refused path during connect()", async () => {
        const before = { a: a.connections(), b: b.connections() };
        const { lines } = await run(user, ["race", a.path, b.path, "3000"]);
        const [, ok, refused] = /^race ok=(\d+) refused=(\d+)$/.exec(lines[0] ?? "") ?? [];
        expect(Number(ok) + Number(refused)).toBe(3000);
        expect(Number(ok)).toBeGreaterThan(0);
        expect(Number(refused)).toBeGreaterThan(0); // the flips did reach the supervisor
        await waitFor(() => a.connections() === before.a + Number(ok));
        expect(b.connections()).toBe(before.b);
      });

      it("answers a missing allowed socket with the kernel's error, a missing other one with EACCES", async () => {
        const spec = mediatedSpec([`${dir}/missing.sock`]);
        expect((await run(user, ["connect", "stream", `${dir}/missing.sock`], spec)).lines).toEqual(["connect error ENOENT"]);
        expect((await run(user, ["connect", "stream", `${dir}/other-missing.sock`], spec)).lines).toEqual(["connect error EACCES"]);
        expect((await run(user, ["connect", "stream", `${dir}/no-dir/x.sock`], spec)).lines).toEqual(["connect error EACCES"]);
      });

      it("leaves the command only fds 0-2, and keeps the command's exit code", async () => {
        expect(await run(user, ["fds"])).toEqual({ code: 0, lines: ["fds 0 1 2"], stderr: "" });
        expect((await run(user, ["connect", "stream", b.path])).code).toBe(1);
      });

      it.runIf(abi >= 6)("cannot be signalled, ptraced or read by the command (control: signalling works without the scope)", async () => {
        const procfs = [{ path: "/proc", rights: "read" as const }];
        const scoped = { ...mediatedSpec([a.path]), landlock: landlockSpec(ws, [{ path: dir, rights: "read" }, ...procfs], { scopeSignals: true, minAbi: 6 }) };
        expect((await run(user, ["parent"], scoped)).lines).toEqual(["kill0 EPERM", "ptrace EPERM", "process_vm_readv EPERM"]);
        const unscoped = { ...scoped, landlock: landlockSpec(ws, [{ path: dir, rights: "read" }, ...procfs], { minAbi: 1 }) };
        expect((await run(user, ["parent"], unscoped)).lines).toEqual(["kill0 sent", "ptrace EPERM", "process_vm_readv EPERM"]);
      });

      it.runIf(abi >= 4)("enforces the Landlock TCP port list on the connects it performs (control: other ports open without the list)", async () => {
        const [allowed, other] = await Promise.all([tcpServer("pong-allowed"), tcpServer("pong-other")]);
        try {
          const restricted = mediatedSpec([a.path], { tcpConnectPorts: [allowed.port], minAbi: 4 });
          expect((await run(user, ["tcp", "blocking", String(allowed.port)], restricted)).lines).toEqual(["tcp ok pong-allowed"]);
          expect((await run(user, ["tcp", "nonblock", String(allowed.port)], restricted)).lines).toEqual(["tcp ok pong-allowed"]);
          expect((await run(user, ["tcp", "blocking", String(other.port)], restricted)).lines).toEqual(["tcp error EACCES"]);
          expect(other.connections()).toBe(0);
          expect((await run(user, ["tcp", "blocking", String(other.port)])).lines).toEqual(["tcp ok pong-other"]);
        } finally {
          allowed.close();
          other.close();
        }
      });

      it("fails closed when the supervisor is killed: the command dies with it, orphans get ENOSYS", async () => {
        const live = startLive([...user.prefix, helperPath(), "--spec-fd", "3", "--", probe, "orphan", a.path], encodeExecSpec(mediatedSpec([a.path])));
        await live.waitFor("ready\n");
        process.kill(live.pid, "SIGKILL"); // the supervisor: the pid the launcher holds
        expect(await live.done).toEqual({ code: null, signal: "SIGKILL", lines: ["connect ok pong-a", "ready", "orphan-connect error ENOSYS"], stderr: "" });
      });

      it("keeps serving other connects while a blocking connect waits for a full backlog", async () => {
        const hold = await probeServer(probe, "hold", `${dir}/hold-${user.name}.sock`, "pong-hold");
        try {
          const spec = { ...mediatedSpec([a.path, hold.path]), landlock: landlockSpec(ws, [{ path: dir, rights: "read" }, { path: "/proc", rights: "read" }]) };
          const live = startLive([...user.prefix, helperPath(), "--spec-fd", "3", "--", probe, "backlog", hold.path, a.path], encodeExecSpec(spec));
          // The held connect is parked in the supervisor; had it blocked there, this connect would never be answered.
          await live.waitFor("connect ok pong-a\n");
          hold.signal("SIGUSR1");
          expect(await live.done).toEqual({ code: 0, signal: null, lines: ["connect ok pong-a", "held ok pong-hold"], stderr: "" });
          expect(hold.lines()).toEqual(["accepted", "accepted"]);
        } finally {
          hold.stop();
        }
      });

      it("fails closed for a task it cannot read (non-dumpable): EACCES, and says why once", async () => {
        const before = a.connections();
        expect(await run(user, ["undumpable", a.path])).toEqual({
          code: 2,
          lines: ["connect error EACCES", "connect error EACCES"],
          stderr:
            "cordon-exec: unix socket supervisor: cannot read the memory of the task calling connect(); refused with EACCES (is the program unreadable or made itself non-dumpable?): Operation not permitted\n",
        });
        expect(a.connections()).toBe(before);
      });

      it("control: allowUnixSockets without mediation opens every socket in view (why the two must go together)", async () => {
        expect((await run(user, ["connect", "stream", b.path], { ...mediatedSpec([a.path]), unixSockets: null })).lines).toEqual(["connect ok pong-b"]);
      });

      it("passes TCP to the network bridge through the supervisor (proxy mode with mediation)", async () => {
        const port = await freePort();
        const spec = mediatedSpec([], { tcpConnectPorts: [port], minAbi: abi >= 4 ? 4 : 1, ...(abi >= 4 ? {} : { tcpConnectPorts: null }) });
        const result = await runHelper({ spec, command: [], helperArgs: ["--spec-fd", "3", "--bridge", `${port}=${a.path}`, "--", probe, "tcp", "blocking", String(port)], user });
        expect(result).toMatchObject({ code: 0, stdout: "tcp ok pong-a\n", stderr: "" });
      });

      it("delivers a signal sent to the process group to the command, and exits as the command did", async () => {
        const spec = mediatedSpec([a.path]);
        const live = startLive([...user.prefix, helperPath(), "--spec-fd", "3", "--", "sh", "-c", "trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.05; done"], encodeExecSpec(spec));
        await live.waitFor("ready\n");
        process.kill(-live.pid, "SIGTERM"); // what the launcher does: the supervisor leads the session's process group
        // (sh may report its sleep child, which the group signal also hit, as "Terminated" on stderr.)
        expect(await live.done).toMatchObject({ code: 42, signal: null, lines: ["ready", "got TERM"] });
      });
    });
  }

  it.runIf(isRoot)("keeps the supervisor to its listener, a signalfd and stdio (stdin/stdout on /dev/null)", async () => {
    const live = startLive([helperPath(), "--spec-fd", "3", "--", probe, "orphan", a.path], encodeExecSpec(mediatedSpec([a.path])));
    await live.waitFor("ready\n");
    try {
      const fdDir = `/proc/${live.pid}/fd`;
      const targets = readdirSync(fdDir).map((fd) => `${fd} ${readlinkSync(`${fdDir}/${fd}`)}`);
      expect(targets.slice(0, 2)).toEqual(["0 /dev/null", "1 /dev/null"]);
      expect(targets[2]).toMatch(/^2 (pipe|socket):/); // stderr (node's stdio pipes are socketpairs)
      expect(targets.slice(3).map((t) => t.replace(/^\d+ /, "")).sort()).toEqual(["anon_inode:[signalfd]", "anon_inode:seccomp notify"]);
      const status = readFileSync(`/proc/${live.pid}/status`, "utf8");
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(status).toMatch(/^Seccomp:\s+2$/m);
      expect(status).toMatch(/^CapEff:\s+0+$/m);
      expect(status).toMatch(/^CapPrm:\s+0+$/m);
    } finally {
      process.kill(live.pid, "SIGKILL");
      await live.done;
    }
  });

  it("mirrors the command's exit code and death signal", async () => {
    const spec: ExecSpec = { ...BASE_SPEC, seccompProgram: seccompProgram({ network: "none", allowUnixSockets: true }), unixSockets: { allow: [] } };
    expect((await runHelper({ spec, command: ["sh", "-c", "exit 7"] })).code).toBe(7);
    expect((await runHelper({ spec, command: ["sh", "-c", "kill -TERM $$"] })).signal).toBe("SIGTERM");
    expect((await runHelper({ spec, command: ["no-such-command-cordon"] })).code).toBe(127);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 10));
}

function freePort(): Promise<number> {
  const s = net.createServer();
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => {
    const port = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(port));
  }));
}

function tcpServer(reply: string): Promise<{ port: number; connections: () => number; close: () => void }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    socket.on("data", () => socket.end(`${reply}\n`));
    socket.on("error", () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as net.AddressInfo).port, connections: () => count, close: () => server.close() })),
  );
}
