// Host-side fixtures for the unix socket mediation tests: the compiled unix-probe, counting stream servers
// (pathname and abstract), and seqpacket/datagram servers run by unix-probe itself.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { packageDir, type Workspace } from "./harness.js";

/** Compiles test/native/fixtures/unix-probe.c into the workspace. */
export function compileUnixProbe(ws: Workspace): string {
  const out = ws.file("unix-probe");
  const cc = spawnSync("cc", ["-O2", "-Wall", "-pthread", "-o", out, path.join(packageDir, "test", "native", "fixtures", "unix-probe.c")], { encoding: "utf8" });
  if (cc.status !== 0) throw new Error(`compiling unix-probe failed: ${cc.stderr}`);
  return out;
}

/** A stream server that answers "ping" with `reply` and counts the connections it accepted. */
export interface CountingServer {
  readonly path: string;
  readonly reply: string;
  connections(): number;
  close(): Promise<void>;
}

/** Listens on `address` (a path, or "\0name" for an abstract name); pathname sockets are made mode 0777. */
export function countingServer(address: string, reply: string): Promise<CountingServer> {
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    socket.on("data", () => socket.end(`${reply}\n`));
    socket.on("error", () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address, () => {
      if (!address.startsWith("\0")) chmodSync(address, 0o777); // the unprivileged user must be able to connect
      resolve({
        path: address,
        reply,
        connections: () => count,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** A seqpacket, datagram or "hold" server (unix-probe serve): its output lines ("accepted", "received …"). */
export interface ProbeServer {
  readonly path: string;
  lines(): string[];
  /** Sends a signal (SIGUSR1 makes a "hold" server start accepting). */
  signal(name: NodeJS.Signals): void;
  stop(): void;
}

export function probeServer(probe: string, type: "seqpacket" | "dgram" | "hold", socketPath: string, reply: string): Promise<ProbeServer> {
  const child: ChildProcess = spawn(probe, ["serve", type, socketPath, reply], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      output += d;
      if (output.startsWith("listening\n")) {
        resolve({
          path: socketPath,
          lines: () => output.split("\n").filter((line) => line !== "" && line !== "listening"),
          signal: (name) => child.kill(name),
          stop: () => child.kill("SIGKILL"),
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`unix-probe serve exited with ${code}: ${output}`)));
  });
}

/** A cordon-exec run whose output is watched while it runs (for steps that must happen mid-run). */
export interface LiveRun {
  readonly pid: number;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string): Promise<void>;
  /** Resolves when the run is over and its stdio is closed. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[]; stderr: string }>;
}

/** Starts `argv` (user prefix + helper + args) with `spec` bytes on fd 3. */
export function startLive(argv: readonly string[], spec: Uint8Array, options: { detached?: boolean } = {}): LiveRun {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe", "pipe"], env: { PATH: "/usr/bin:/bin" }, detached: options.detached ?? false });
  (child.stdio[3] as NodeJS.WritableStream).end(Buffer.from(spec));
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    for (const w of waiters.filter((w) => stdout.includes(w.text))) w.resolve();
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[]; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, lines: stdout.split("\n").filter(Boolean), stderr })),
  );
  return {
    pid: child.pid!,
    waitFor: (text) => (stdout.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
    done,
  };
}
