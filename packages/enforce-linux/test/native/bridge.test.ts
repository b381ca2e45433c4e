// cordon-exec --bridge, for real: loopback TCP → unix socket forwarding (IPv4 and IPv6, large transfers,
// half-close), the bridge's isolation from the command (no ptrace, no signals with the scope), its
// lifetime, and argument/listener errors — as root and unprivileged.
import { spawn } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeExecSpec } from "../../src/exec-spec-encode.js";
import type { ExecSpec } from "../../src/exec-spec.js";
import { loadNative } from "../../src/native.js";
import { BASE_SPEC, createWorkspace, helperPath, isLinux, landlockSpec, runHelper, seccompProgram, TEST_USERS, type TestUser, type Workspace } from "./harness.js";

const abi = isLinux ? loadNative().landlockAbi() : 0;
if (isLinux && abi < 6) console.warn(`bridge tests: Landlock ABI ${abi} < 6, so the in-sandbox and signal-scope bridge tests are SKIPPED`);

let ws: Workspace;
let server: net.Server;
let socketPath: string;

/** A unix-socket "proxy" that counts what it receives and answers after the client's FIN. */
function countingServer(path: string): Promise<net.Server> {
  const s = net.createServer((c) => {
    let bytes = 0;
    c.on("data", (d: Buffer) => (bytes += d.length));
    c.on("end", () => c.end(`count=${bytes}\n`));
    c.on("error", () => undefined);
  });
  return new Promise((resolve) => s.listen(path, () => {
    chmodSync(path, 0o777); // the unprivileged user must be able to connect
    resolve(s);
  }));
}

function freePort(): Promise<number> {
  const s = net.createServer();
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => {
    const port = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(port));
  }));
}

/** Connects to host:port (retrying while the bridge starts), sends `bytes`, half-closes, returns the reply. */
async function exchange(host: string, port: number, bytes: number): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ host, port }, () => {
          socket.end(Buffer.alloc(bytes, 0x61));
        });
        let reply = "";
        socket.setEncoding("utf8").on("data", (d: string) => (reply += d));
        socket.on("end", () => resolve(reply));
        socket.on("error", reject);
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ECONNREFUSED" || attempt > 200) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Starts cordon-exec --bridge with a long-running command; returns a stop function. */
function startBridge(user: TestUser, port: number): { stop: () => void; exited: Promise<number | null> } {
  const argv = [...user.prefix, helperPath(), "--spec-fd", "3", "--bridge", `${port}=${socketPath}`, "--", "sleep", "60"];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "inherit", "pipe"] });
  (child.stdio[3] as NodeJS.WritableStream).end(Buffer.from(encodeExecSpec({ ...BASE_SPEC, env: { PATH: "/usr/bin:/bin" } })));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { stop: () => child.kill("SIGKILL"), exited };
}

beforeAll(async () => {
  if (!isLinux) return;
  ws = createWorkspace();
  socketPath = ws.file("proxy.sock");
  server = await countingServer(socketPath);
});
afterAll(() => {
  server?.close();
  ws?.cleanup();
});

describe.runIf(isLinux)("cordon-exec --bridge", () => {
  for (const user of TEST_USERS) {
    describe(user.name, () => {
      it("forwards loopback TCP (IPv4 and IPv6) to the unix socket, with back-pressure and half-close", async () => {
        const port = await freePort();
        const bridge = startBridge(user, port);
        try {
          const big = 4 * 1024 * 1024;
          const results = await Promise.all([exchange("127.0.0.1", port, big), exchange("127.0.0.1", port, 1), exchange("::1", port, 12_345), exchange("127.0.0.1", port, 0)]);
          expect(results).toEqual([`count=${big}\n`, "count=1\n", "count=12345\n", "count=0\n"]);
        } finally {
          bridge.stop();
          await bridge.exited;
        }
      });

      it.runIf(abi >= 6)("works for the command inside the sandbox (seccomp proxy mode, Landlock TCP rule for the port)", async () => {
        const port = await freePort();
        const spec: ExecSpec = {
          ...BASE_SPEC,
          newSession: true,
          seccompProgram: seccompProgram({ network: "proxy", allowUnixSockets: false }),
          landlock: landlockSpec(ws, [], { tcpConnectPorts: [port], scopeSignals: true, scopeAbstractUnix: true, minAbi: 6 }),
        };
        const result = await runHelper({ spec, command: [ws.probe, "tcp-send", String(port), "100000"], helperArgs: ["--spec-fd", "3", "--bridge", `${port}=${socketPath}`, "--", ws.probe, "tcp-send", String(port), "100000"], user });
        expect(result).toMatchObject({ code: 0, stdout: "count=100000\n", stderr: "" });
      });

      it("cannot be ptraced by the command (non-dumpable), while a plain child can (control)", async () => {
        const port = await freePort();
        const result = await runHelper({ spec: BASE_SPEC, command: [], helperArgs: ["--spec-fd", "3", "--bridge", `${port}=${socketPath}`, "--", ws.probe, "children-ptrace", "fork"], user });
        expect(result.stdout.split("\n").filter(Boolean).sort()).toEqual(["ptrace cordon-exec Operation not permitted", "ptrace probe ok"]);
      });

      it.runIf(abi >= 6)("cannot be signalled by the command when scopeSignals is set (control: it can without)", async () => {
        const port = await freePort();
        const args = (spec: ExecSpec) => runHelper({ spec, command: [], helperArgs: ["--spec-fd", "3", "--bridge", `${port}=${socketPath}`, "--", ws.probe, "children-kill"], user });
        const procfs = [{ path: "/proc", rights: "read" as const }];
        const scoped = await args({ ...BASE_SPEC, landlock: landlockSpec(ws, procfs, { scopeSignals: true, minAbi: 6 }) });
        expect(scoped.stdout).toBe("kill cordon-exec Operation not permitted\n");
        const control = await args({ ...BASE_SPEC, landlock: landlockSpec(ws, procfs, { minAbi: 1 }) });
        expect(control.stdout).toBe("kill cordon-exec ok\n");
      });

      it("goes away when the command exits", async () => {
        const port = await freePort();
        const result = await runHelper({ spec: BASE_SPEC, command: [], helperArgs: ["--spec-fd", "3", "--bridge", `${port}=${socketPath}`, "--", ws.probe, "sid"], user });
        expect(result.code).toBe(0);
        let refused = false;
        for (let attempt = 0; attempt < 200 && !refused; attempt += 1) {
          refused = await new Promise<boolean>((resolve) => {
            const s = net.connect({ host: "127.0.0.1", port }, () => {
              s.destroy();
              resolve(false);
            });
            s.on("error", () => resolve(true));
          });
          if (!refused) await new Promise((r) => setTimeout(r, 25));
        }
        expect(refused).toBe(true);
      });
    });
  }

  const badRoutes: [string, string][] = [
    ["7000", '--bridge: "7000" is not PORT=/absolute/unix/socket/path (port 1..65535, path < 108 bytes)'],
    ["0=/x", '--bridge: "0=/x" is not PORT=/absolute/unix/socket/path'],
    ["70000=/x", '--bridge: "70000=/x" is not PORT=/absolute/unix/socket/path'],
    ["080=/x", '--bridge: "080=/x" is not PORT=/absolute/unix/socket/path'],
    ["80=relative", '--bridge: "80=relative" is not PORT=/absolute/unix/socket/path'],
    [`80=/${"a".repeat(107)}`, `--bridge: "80=/${"a".repeat(107)}" is not PORT=/absolute/unix/socket/path`],
    ["80=/x,", '--bridge: "" is not PORT=/absolute/unix/socket/path'],
    ["80=/x,80=/y", "--bridge: port 80 is listed twice"],
  ];
  it.each(badRoutes)("rejects --bridge %s (125, command never runs)", async (routes, message) => {
    const marker = ws.file(`bridge-marker-${Math.random()}`);
    const result = await runHelper({ spec: BASE_SPEC, command: [], helperArgs: ["--spec-fd", "3", "--bridge", routes, "--", ws.probe, "write", marker] });
    expect(result.code).toBe(125);
    expect(result.stderr).toContain(`cordon-exec: ${message}`);
    expect(result.stderr).toMatch(/: Invalid argument\n$/);
    expect(existsSync(marker)).toBe(false);
  });

  it("fails closed when the port is taken (125, command never runs)", async () => {
    const taken = net.createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, "127.0.0.1", () => resolve((taken.address() as net.AddressInfo).port)));
    try {
      const marker = ws.file("bridge-taken");
      const result = await runHelper({ spec: BASE_SPEC, command: [], helperArgs: ["--spec-fd", "3", "--bridge", `${port}=${socketPath}`, "--", ws.probe, "write", marker] });
      expect(result.code).toBe(125);
      expect(result.stderr).toBe(`cordon-exec: bridge: listening on 127.0.0.1:${port}: Address already in use\n`);
      expect(existsSync(marker)).toBe(false);
    } finally {
      taken.close();
    }
  });

  it("closes a connection whose unix socket is missing, and keeps serving", async () => {
    const port = await freePort();
    let good = await freePort();
    while (good === port) good = await freePort();
    const missing = ws.file("no-such.sock");
    const argv = [helperPath(), "--spec-fd", "3", "--bridge", `${port}=${missing},${good}=${socketPath}`, "--", "sleep", "60"];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "inherit", "pipe"] });
    (child.stdio[3] as NodeJS.WritableStream).end(Buffer.from(encodeExecSpec({ ...BASE_SPEC, env: { PATH: "/usr/bin:/bin" } })));
    try {
      // The bridge accepts and closes at once: the client sees EOF, a reset, or EPIPE on its write.
      expect(await exchange("127.0.0.1", port, 10).catch((e: NodeJS.ErrnoException) => e.code)).toMatch(/^(|ECONNRESET|EPIPE)$/);
      expect(await exchange("127.0.0.1", good, 10)).toBe("count=10\n");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
