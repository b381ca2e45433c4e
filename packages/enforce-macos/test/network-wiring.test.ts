// The network wiring of the macOS backend with the real egress proxy on loopback (platform-independent,
// runs on every OS): planFor stays pure, the run's proxy starts, the plan is bound to its real ports,
// the proxy variables reach the command, denials become Denial records, and everything is closed
// afterwards. The sandbox itself is exercised in darwin.test.ts (macOS only).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { compileNetwork, type NetworkPolicy } from "@cordon/policy-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchPlan, launchWith, MacosLaunchError, type LaunchHost } from "../src/launch.js";
import { bindProxyPorts, planFor, SHARED_PROXY_PORT_LIMIT } from "../src/plan.js";
import { proxyEndpoints } from "../src/proxy-address.js";
import { denialFromDecision, MAX_PROXY_DENIALS, ProxyDenialCollector, proxyTarget } from "../src/proxy-denials.js";
import { hostUpstreamProxy, startRunProxy } from "../src/run-proxy.js";
import type { MacosPlan } from "../src/types.js";
import { command, workspacePolicy } from "./helpers/policy.js";

/** A NetworkPolicy compiled by policy-model from a table as a user writes it. */
function network(table: Record<string, unknown>): NetworkPolicy {
  return compileNetwork({ enabled: true, ...table } as never, (keyPath) => ({ kind: "file", file: "/test/config.toml", line: keyPath.length }));
}

const ALLOW_LOOPBACK = { enable_socks5: false, domains: { "127.0.0.1": "allow" } };

function planOf(net: NetworkPolicy | Partial<NetworkPolicy>): MacosPlan {
  const result = planFor(workspacePolicy({ network: net }), command);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
  return result.plan;
}

/** Handles of one kind this process holds (listening servers, TCP sockets). */
function handles(kind: "TCPServerWrap" | "TCPSocketWrap"): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

/** Lets destroyed handles finish closing (they close on a later turn of the event loop). */
async function settled(kind: "TCPServerWrap" | "TCPSocketWrap", expected: number): Promise<number> {
  for (let i = 0; i < 50 && handles(kind) !== expected; i++) await new Promise((r) => setTimeout(r, 10));
  return handles(kind);
}

/** True when something accepts connections on 127.0.0.1:port. */
function listening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

const CURL = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].find((p) => existsSync(p));
if (!CURL) console.warn("[enforce-macos] SKIPPING the curl-through-the-run-proxy checks: curl is not installed on this host");

/** Runs a shell script with exactly `env` (asynchronously: the proxy lives in this process). */
function sh(script: string, env: Readonly<Record<string, string>>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", script], { env: { PATH: "/usr/bin:/bin", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

let server: http.Server;
let serverPort = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => res.end(`REACHED ${req.url}`));
  serverPort = await new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("planFor stays pure with the network enabled", () => {
  it("starts nothing: no listener appears, and the same inputs give the same plan", () => {
    const before = handles("TCPServerWrap");
    const a = planOf(network(ALLOW_LOOPBACK));
    const b = planOf(network(ALLOW_LOOPBACK));
    expect(handles("TCPServerWrap")).toBe(before);
    expect(a).toEqual(b);
    expect(a.network).toEqual({ enabled: true, proxyPorts: [], awaitingProxy: true });
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it("says that the loopback proxy port is reachable by other local processes (NET-20); network-off plans do not", () => {
    expect(planOf(network(ALLOW_LOOPBACK)).limits).toContain(SHARED_PROXY_PORT_LIMIT);
    expect(SHARED_PROXY_PORT_LIMIT).toContain("other local processes can reach the proxy");
    expect(planOf({ enabled: false }).limits).not.toContain(SHARED_PROXY_PORT_LIMIT);
  });

  it("an ephemeral SOCKS5 port shares the main listener: one port, ALL_PROXY is socks5h on it", () => {
    const plan = planOf(network({ ...ALLOW_LOOPBACK, enable_socks5: true, proxy_url: "http://127.0.0.1:3128" }));
    expect(plan.network).toEqual({ enabled: true, proxyPorts: [3128], awaitingProxy: false });
    expect(plan.env).toMatchObject({ HTTP_PROXY: "http://127.0.0.1:3128", ALL_PROXY: "socks5h://127.0.0.1:3128", all_proxy: "socks5h://127.0.0.1:3128" });
  });

  it("a fixed SOCKS5 port with an ephemeral HTTP port still waits for the proxy (no port is guessed)", () => {
    const plan = planOf(network({ enable_socks5: true, socks_url: "socks5://127.0.0.1:1080" }));
    expect(plan.network).toEqual({ enabled: true, proxyPorts: [], awaitingProxy: true });
    expect(plan.env).not.toHaveProperty("HTTP_PROXY");
    expect(plan.profile).not.toContain("localhost:1080");
  });

  it("without SOCKS5, ALL_PROXY still points at the managed proxy (HTTP), never at an inherited one", () => {
    const plan = planFor(workspacePolicy({ network: network({ enable_socks5: false }) }), { ...command, env: { ALL_PROXY: "socks5://corp:1080", PATH: "/usr/bin" } });
    const bound = plan.ok ? bindProxyPorts(plan.plan, [40001]) : plan;
    expect(bound.ok && bound.plan.env).toMatchObject({ ALL_PROXY: "http://127.0.0.1:40001", all_proxy: "http://127.0.0.1:40001", NO_PROXY: "", no_proxy: "" });
  });

  it("a proxy on [::1] gets bracketed URLs", () => {
    const plan = planOf(network({ proxy_url: "http://[::1]:0" }));
    const bound = bindProxyPorts(plan, [40002]);
    expect(bound.ok && bound.plan.env["HTTPS_PROXY"]).toBe("http://[::1]:40002");
  });

  it("refuses proxy addresses that are not loopback URLs, naming them", () => {
    const refusals: { rule: string; reason: string }[] = [];
    expect(proxyEndpoints({ ...network({}), proxyUrl: "not a url" }, refusals)).toBeNull();
    expect(proxyEndpoints({ ...network({ enable_socks5: true }), socksUrl: "socks5://192.168.1.2:1080" }, refusals)).not.toBeNull();
    expect(refusals).toEqual([
      { rule: "proxy address not a url", reason: "not a URL" },
      { rule: "proxy address socks5://192.168.1.2:1080", reason: expect.stringContaining("must listen on 127.0.0.1, ::1 or localhost") },
    ]);
    expect(proxyEndpoints({ ...network({}), enabled: false }, refusals)).toBeNull();
  });
});

describe("the run's egress proxy (startRunProxy)", () => {
  it("start → bound plan → proxy variables → close, leaving no listener or socket behind", async () => {
    const servers = handles("TCPServerWrap");
    const sockets = handles("TCPSocketWrap");
    const plan = planOf(network(ALLOW_LOOPBACK));
    const run = await startRunProxy(plan);
    const port = "port" in run.proxy.http ? run.proxy.http.port : 0;
    expect(port).toBeGreaterThan(0);
    expect(run.proxy.http).toEqual({ host: "127.0.0.1", port });
    expect(run.plan.network).toEqual({ enabled: true, proxyPorts: [port], awaitingProxy: false });
    expect(run.plan.profile).toContain(`(allow network-outbound (remote ip "localhost:${port}"))`);
    const url = `http://127.0.0.1:${port}`;
    expect(run.plan.env).toEqual({
      ...command.env,
      HTTP_PROXY: url,
      http_proxy: url,
      HTTPS_PROXY: url,
      https_proxy: url,
      ALL_PROXY: url,
      all_proxy: url,
      NO_PROXY: "",
      no_proxy: "",
    });
    expect(run.plan.argv.at(-3)).toBe(command.argv[0]);
    expect(plan.network.awaitingProxy).toBe(true); // the input plan is not modified
    expect(await listening(port)).toBe(true);

    await run.close();
    await run.close(); // idempotent
    expect(await listening(port)).toBe(false);
    expect(run.proxy.openSockets).toBe(0);
    expect(await settled("TCPServerWrap", servers)).toBe(servers);
    expect(await settled("TCPSocketWrap", sockets)).toBe(sockets);
  });

  it("a fixed distinct SOCKS5 port gets its own listener; both ports are bound, in order", async () => {
    const free = await freePorts(2);
    const plan = planOf(network({ ...ALLOW_LOOPBACK, enable_socks5: true, proxy_url: `http://127.0.0.1:${free[0]}`, socks_url: `socks5://127.0.0.1:${free[1]}` }));
    const run = await startRunProxy(plan);
    try {
      expect(run.plan.network.proxyPorts).toEqual([...free].sort((a, b) => a - b));
      expect(run.plan.env["HTTP_PROXY"]).toBe(`http://127.0.0.1:${free[0]}`);
      expect(run.plan.env["ALL_PROXY"]).toBe(`socks5h://127.0.0.1:${free[1]}`);
      expect([await listening(free[0]!), await listening(free[1]!)]).toEqual([true, true]);
    } finally {
      await run.close();
    }
    expect([await listening(free[0]!), await listening(free[1]!)]).toEqual([false, false]);
  });

  it("a fixed proxy port already in use: refuses to launch and leaves nothing listening", async () => {
    const squatter = net.createServer();
    const port = await new Promise<number>((r) => squatter.listen(0, "127.0.0.1", () => r((squatter.address() as net.AddressInfo).port)));
    const before = handles("TCPServerWrap");
    try {
      const plan = planOf(network({ proxy_url: `http://127.0.0.1:${port}` }));
      const error = await startRunProxy(plan).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MacosLaunchError);
      expect((error as Error).message).toBe(`could not start the egress proxy: cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
      expect(await settled("TCPServerWrap", before)).toBe(before);
    } finally {
      squatter.close();
    }
  });

  it("refuses a plan without the network (nothing to proxy)", async () => {
    await expect(startRunProxy(planOf({ enabled: false }))).rejects.toThrow("the plan does not enable the network; no egress proxy is needed");
  });

  describe.runIf(CURL !== undefined)("a real client (curl) using only the proxy variables", () => {
    it("reaches the allowed loopback server; a denied host gets 403 and becomes a network Denial", async () => {
      const run = await startRunProxy(planOf(network(ALLOW_LOOPBACK)), { logDenials: true });
      try {
        const ok = await sh(`curl -sS http://127.0.0.1:${serverPort}/allowed`, run.plan.env);
        expect(ok).toEqual({ code: 0, out: "REACHED /allowed" });
        const denied = await sh(`curl -sS -o /dev/null -D - http://blocked.example:${serverPort}/`, run.plan.env);
        expect(denied.out).toMatch(/^HTTP\/1\.1 403/);
        expect(denied.out.toLowerCase()).toContain("x-proxy-error: blocked-by-allowlist");
        const tunnel = await sh(`curl -sS -p -o /dev/null -w '%{http_code}' http://127.0.0.2:${serverPort}/`, run.plan.env);
        expect(tunnel.code).not.toBe(0); // CONNECT to a local address no exact rule allows
        const log = run.denialLog();
        expect(log.denials).toEqual([
          { kind: "network", operation: "connect", target: `blocked.example:${serverPort}`, detail: "not_allowed" },
          { kind: "network", operation: "connect", target: `127.0.0.2:${serverPort}`, detail: "not_allowed_local" },
        ]);
        expect(log.limits[0]).toContain("NET-20");
        expect(log.limits[0]).toContain(`127.0.0.1:${"port" in run.proxy.http ? run.proxy.http.port : 0}`);
      } finally {
        await run.close();
      }
    });

    it("SOCKS5 on the shared listener: ALL_PROXY (socks5h) reaches the allowed server and refuses others", async () => {
      const run = await startRunProxy(planOf(network({ ...ALLOW_LOOPBACK, enable_socks5: true })));
      try {
        const all = run.plan.env["ALL_PROXY"]!;
        expect(all).toMatch(/^socks5h:\/\/127\.0\.0\.1:\d+$/);
        expect(await sh(`curl -sS --proxy "$ALL_PROXY" http://127.0.0.1:${serverPort}/socks`, run.plan.env)).toEqual({ code: 0, out: "REACHED /socks" });
        const denied = await sh(`curl -sS --proxy "$ALL_PROXY" http://blocked.example:${serverPort}/`, run.plan.env);
        expect(denied.code).not.toBe(0);
        expect(denied.out).not.toContain("REACHED");
      } finally {
        await run.close();
      }
    });

    it("without logDenials the refusals are not collected", async () => {
      const run = await startRunProxy(planOf(network(ALLOW_LOOPBACK)));
      try {
        await sh(`curl -sS http://blocked.example:${serverPort}/`, run.plan.env);
        expect(run.proxy.decisions.some((d) => d.decision === "deny")).toBe(true);
        expect(run.denialLog().denials).toEqual([]);
      } finally {
        await run.close();
      }
    });
  });
});

describe("launch sequence (launchWith, with a stand-in for sandbox-exec)", () => {
  /** Runs the final plan's environment in a plain shell: what the sandboxed command would get. */
  const fakeHost = (script: string, seen: MacosPlan[] = []): LaunchHost => ({
    spawn: (plan) => {
      seen.push(plan);
      return spawn("/bin/sh", ["-c", script], { env: { ...plan.env, PATH: "/usr/bin:/bin" }, stdio: ["ignore", "pipe", "pipe"] });
    },
    killTree: (pid) => process.kill(pid, "SIGKILL"),
    startDenialCollector: async () => ({ stop: async () => ({ denials: [], limits: ["seatbelt log (stand-in)"] }) }),
  });

  it.runIf(CURL !== undefined)("network on: the command reaches the allowed server through the proxy; the proxy is closed once it exits", async () => {
    const seen: MacosPlan[] = [];
    const script = `curl -sS http://127.0.0.1:${serverPort}/launched; echo; curl -sS -o /dev/null -w '%{http_code}' http://blocked.example:${serverPort}/`;
    const proc = await launchWith(planOf(network(ALLOW_LOOPBACK)), { logDenials: true }, fakeHost(script, seen));
    let out = "";
    proc.child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    const status = await proc.exited;
    expect(status.code).toBe(0);
    expect(out).toBe("REACHED /launched\n403");
    const port = seen[0]!.network.proxyPorts[0]!;
    expect(seen[0]!.network.awaitingProxy).toBe(false);
    expect(await listening(port)).toBe(false);
    expect(status.denials).toEqual([{ kind: "network", operation: "connect", target: `blocked.example:${serverPort}`, detail: "not_allowed" }]);
    expect(status.denialLogLimits[0]).toBe("seatbelt log (stand-in)");
    expect(status.denialLogLimits.some((l) => l.includes("NET-20"))).toBe(true);
  });

  it("abort kills the command and closes the proxy", async () => {
    const seen: MacosPlan[] = [];
    const controller = new AbortController();
    const proc = await launchWith(planOf(network(ALLOW_LOOPBACK)), { signal: controller.signal }, fakeHost("sleep 30", seen));
    const port = seen[0]!.network.proxyPorts[0]!;
    expect(await listening(port)).toBe(true);
    controller.abort();
    const status = await proc.exited;
    expect([status.code, status.signal]).toEqual([137, "SIGKILL"]);
    expect(await listening(port)).toBe(false);
  });

  it("a spawn failure closes the proxy and reports the error", async () => {
    const before = handles("TCPServerWrap");
    const host: LaunchHost = {
      ...fakeHost("true"),
      spawn: () => {
        throw new MacosLaunchError("stand-in spawn failure");
      },
    };
    await expect(launchWith(planOf(network(ALLOW_LOOPBACK)), {}, host)).rejects.toThrow("stand-in spawn failure");
    expect(await settled("TCPServerWrap", before)).toBe(before);
  });

  it("network off: no proxy is started and no proxy variable is set", async () => {
    const before = handles("TCPServerWrap");
    const seen: MacosPlan[] = [];
    const proc = await launchWith(planOf({ enabled: false }), { logDenials: true }, fakeHost('echo "[$HTTP_PROXY][$ALL_PROXY]"', seen));
    expect(handles("TCPServerWrap")).toBe(before);
    let out = "";
    proc.child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    const status = await proc.exited;
    expect(out).toBe("[][]\n");
    expect(seen[0]!.env).not.toHaveProperty("HTTP_PROXY");
    expect(status.denialLogLimits).toEqual(["seatbelt log (stand-in)"]);
  });

  it.runIf(process.platform !== "darwin")("launchPlan off macOS refuses before any proxy starts", async () => {
    const before = handles("TCPServerWrap");
    await expect(launchPlan(planOf(network(ALLOW_LOOPBACK)))).rejects.toThrow(`sandbox-exec runs only on macOS (this host is ${process.platform}); refusing to run the command unsandboxed`);
    expect(handles("TCPServerWrap")).toBe(before);
  });
});

describe("proxy decisions as denials", () => {
  const decision = (over: Record<string, unknown>) =>
    ({ time: 0, protocol: "connect", host: "evil.example", port: 443, decision: "deny", reason: "denied", rule: "r", addresses: [], ...over }) as never;

  it("maps a refusal to { network, connect, host:port, reason } and ignores allowed ones", () => {
    expect(denialFromDecision(decision({}))).toEqual({ kind: "network", operation: "connect", target: "evil.example:443", detail: "denied" });
    expect(denialFromDecision(decision({ decision: "allow", reason: "allowed" }))).toBeNull();
  });

  it("formats IPv6, missing ports and missing hosts", () => {
    expect([proxyTarget("::1", 80), proxyTarget("a.example", null), proxyTarget("", null)]).toEqual(["[::1]:80", "a.example", "(no host)"]);
  });

  it("keeps each (target, reason) once and bounds the list, saying how many were dropped", () => {
    const collector = new ProxyDenialCollector();
    collector.record(decision({}));
    collector.record(decision({}));
    collector.record(decision({ reason: "not_allowed" }));
    expect(collector.result().denials.map((d) => d.detail)).toEqual(["denied", "not_allowed"]);
    for (let i = 0; i < MAX_PROXY_DENIALS + 5; i++) collector.record(decision({ port: 10_000 + i }));
    const result = collector.result();
    expect(result.denials).toHaveLength(MAX_PROXY_DENIALS);
    expect(result.limits).toEqual([`7 further network denials were not recorded (limit: ${MAX_PROXY_DENIALS} distinct)`]);
  });

  it("reads the upstream proxy from cordon's environment, HTTPS_PROXY first, ignoring empty values", () => {
    expect(hostUpstreamProxy({ HTTP_PROXY: "http://b:2", HTTPS_PROXY: "http://a:1" })).toBe("http://a:1");
    expect(hostUpstreamProxy({ HTTPS_PROXY: "", http_proxy: "http://c:3" })).toBe("http://c:3");
    expect(hostUpstreamProxy({})).toBeUndefined();
  });
});

/** `n` distinct ports that were free a moment ago (released before returning). */
async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => net.createServer());
  const ports = await Promise.all(servers.map((s) => new Promise<number>((r) => s.listen(0, "127.0.0.1", () => r((s.address() as net.AddressInfo).port)))));
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}
