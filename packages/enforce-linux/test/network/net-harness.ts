// Harness for the network tests: loopback test servers that count what reaches them (host-side checks),
// an async runner (the servers must keep answering while a sandbox runs), network policies, and the
// probes that run inside the sandbox.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync } from "node:fs";
import dgram from "node:dgram";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import type { DomainRule, NetworkPolicy, ResolvedPolicy } from "@cordon/policy-model";
import { makePolicy, rule, TEST_ORIGIN } from "../helpers/policy.js";
import { PACKAGE_DIR, TEST_USER, type RunAs } from "../helpers/sandbox.js";

const RUNNER = path.join(PACKAGE_DIR, "test/helpers/runner.mjs");
export const CLIENT = path.join(PACKAGE_DIR, "test/network/fixtures/client.mjs");

/** What the runner reports for one sandboxed run. */
export interface NetRunResult {
  code?: number;
  stdout?: string;
  stderr?: string;
  refused?: { rule: string; reason: string }[];
  error?: string;
  lookups?: string[];
  denials?: { kind: string; operation: string; target: string; detail?: string }[];
  decisions?: { host: string; port: number | null; decision: string; reason: string; protocol: string }[];
  /** pid of the runner process (the launcher): its proxy directories are named net-<pid>-… */
  launcherPid?: number;
}

export interface RunInput {
  policy: ResolvedPolicy;
  argv: string[];
  hosts?: Record<string, string[]>;
  logDenials?: boolean;
  launcherEnv?: Record<string, string>;
  lendProxy?: boolean;
  announcePid?: boolean;
}

/** Runs the library runner as root or as the test user, without blocking this process's servers. */
export function runAsync(as: RunAs, input: RunInput, onLauncherPid?: (pid: number) => void): Promise<NetRunResult> {
  const base = [process.execPath, RUNNER];
  const [cmd, ...args] = as === "root" ? base : ["runuser", "-u", TEST_USER, "--", ...base];
  const child = spawn(cmd!, args, { stdio: ["pipe", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  child.stdin.end(JSON.stringify({ ...input, announcePid: input.announcePid ?? onLauncherPid !== undefined }));
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
    const m = /^runner-pid (\d+)$/m.exec(err);
    if (m && onLauncherPid) {
      onLauncherPid(Number(m[1]));
      onLauncherPid = undefined;
    }
  });
  return new Promise((resolve) => {
    child.on("close", (status) => {
      try {
        resolve(JSON.parse(out) as NetRunResult);
      } catch {
        resolve({ error: `runner failed (${status}): ${out} ${err}` });
      }
    });
  });
}

/** An HTTP server on a loopback address that answers `hello <Host>` and records every request. */
export interface CountingHttpServer {
  readonly port: number;
  readonly requests: { host: string; url: string }[];
  /** TCP connections accepted (also those that never sent a request). */
  connections: number;
  close(): Promise<void>;
}

export async function startHttpServer(address: "127.0.0.1" | "::1"): Promise<CountingHttpServer> {
  const requests: { host: string; url: string }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ host: req.headers.host ?? "", url: req.url ?? "" });
    res.setHeader("connection", "close");
    res.end(`hello ${req.headers.host ?? ""}`);
  });
  const state: CountingHttpServer = {
    port: 0,
    requests,
    connections: 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  server.on("connection", () => (state.connections += 1));
  await new Promise<void>((resolve) => server.listen({ host: address, port: 0, ipv6Only: address === "::1" }, resolve));
  return Object.assign(state, { port: (server.address() as net.AddressInfo).port });
}

/** A UDP socket on 127.0.0.1 counting datagrams. */
export async function startUdpServer(): Promise<{ port: number; received: () => number; close: () => void }> {
  const socket = dgram.createSocket("udp4");
  let received = 0;
  socket.on("message", () => (received += 1));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { port: socket.address().port, received: () => received, close: () => socket.close() };
}

/** A pathname stream unix socket server counting connections. */
export async function startUnixServer(name: string): Promise<{ accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const server = net.createServer((c) => {
    accepted += 1;
    c.destroy();
  });
  await new Promise<void>((resolve) => server.listen(name, resolve));
  chmodSync(name, 0o777); // the unprivileged user's control must be able to connect
  return { accepted: () => accepted, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A host-side receiver run by the probe, counting what arrives: `dgram-recv PATH` (datagrams on a
 * pathname socket) or `abstract-listen NAME` (connections to an exact-length abstract name; node pads them).
 */
export async function startProbeReceiver(probe: string, args: string[]): Promise<{ received: () => number; close: () => void }> {
  const child = spawn(probe, args, { stdio: ["ignore", "pipe", "inherit"] });
  let received = 0;
  await new Promise<void>((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n")) {
        if (line === "ready") resolve();
        const m = /^got (\d+)$/.exec(line);
        if (m) received = Number(m[1]);
      }
    });
  });
  return { received: () => received, close: () => child.kill("SIGKILL") };
}

/** Compiles the network probe statically into `dir` (readable and executable by every sandbox). */
export function buildNetProbe(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, "net-probe");
  execFileSync("gcc", ["-static", "-O1", "-o", out, path.join(PACKAGE_DIR, "test/network/fixtures/net-probe.c")]);
  chmodSync(out, 0o755);
  return out;
}

export function domain(pattern: string, decision: "allow" | "deny"): DomainRule {
  return { pattern, decision, origin: TEST_ORIGIN };
}

/** A read-only-root policy with network enabled and the given network settings. */
export function netPolicy(network: Partial<NetworkPolicy>, cwd = "/tmp"): ResolvedPolicy {
  const base = makePolicy({ rules: [rule("/", "read")], cwd, environment: { PATH: "/usr/bin:/bin", HOME: "/tmp" } });
  return {
    ...base,
    network: { ...base.network, enabled: true, enableSocks5: true, ...network },
  };
}

/** Parses `NAME result…` lines printed by the in-sandbox scripts. */
export function lines(stdout: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (stdout ?? "").split("\n")) {
    const m = /^(\w+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** A shell line that runs `cmd` and prints `name=<its output, or its exit code when silent>`. */
export function sh(name: string, cmd: string): string {
  return `echo "${name}=$(${cmd} 2>/dev/null || echo "exit=$?")"`;
}

/** cordon's per-run proxy directories of one launcher (pid) present in a runtime dir. */
export function runDirsIn(runtimeDir: string, launcherPid: number | undefined): string[] {
  if (launcherPid === undefined) throw new Error("the runner did not report its pid");
  try {
    return readdirSync(runtimeDir).filter((n) => n.startsWith(`net-${launcherPid}-`));
  } catch {
    return [];
  }
}

/** The runtime dir cordon uses for `as` (runuser does not set XDG_RUNTIME_DIR). */
export function runtimeDirOf(as: RunAs, uid: number): string {
  return as === "root" ? "/run/cordon" : `/tmp/cordon-${uid}`;
}
