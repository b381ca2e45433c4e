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

/** A seqpacket or datagram server (unix-probe serve): its output lines ("accepted", "received …"). */
export interface ProbeServer {
  readonly path: string;
  lines(): string[];
  stop(): void;
}

export function probeServer(probe: string, type: "seqpacket" | "dgram", socketPath: string, reply: string): Promise<ProbeServer> {
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
          stop: () => child.kill("SIGKILL"),
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`unix-probe serve exited with ${code}: ${output}`)));
  });
}
