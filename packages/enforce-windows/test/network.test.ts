// The network wiring of the Windows backend, platform-independent: planning where the run's egress
// proxy listens (inside the setup's WFP-permitted loopback range, from proxy_url/socks_url), and the
// real egress proxy started on the first free port of that range, its variables, denials and close.
// The sandbox user and its WFP filters are exercised in windows.test.ts (Windows administrator only).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { EgressProxyError } from "@cordon/egress-proxy";
import { compileNetwork, type NetworkPolicy, type Refusal } from "@cordon/policy-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assumedFacts, ASSUMED_SETUP } from "../src/facts.js";
import { MESSAGES } from "../src/messages.js";
import { SHARED_PROXY_PORT_NOTE } from "../src/network-plan.js";
import type { WindowsPlan, WindowsProxyPlan } from "../src/plan-types.js";
import { planFor } from "../src/planner.js";
import { planProxyListen } from "../src/proxy-listen.js";
import { startWindowsProxy, withProxyEnvironment } from "../src/run-proxy.js";
import { COMMAND, policy } from "./helpers.js";

const RANGE = ASSUMED_SETUP.firewall.proxyPortRange!;

/** A NetworkPolicy compiled by policy-model from a table as a user writes it. */
function network(table: Record<string, unknown>): NetworkPolicy {
  return compileNetwork({ enabled: true, ...table } as never, (keyPath) => ({ kind: "file", file: "C:/test/config.toml", line: keyPath.length }));
}

function planOf(net: NetworkPolicy): WindowsPlan {
  const result = planFor(policy({ network: net }), COMMAND);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
  return result.plan;
}

function refusalsOf(net: NetworkPolicy): readonly Refusal[] {
  const result = planFor(policy({ network: net }), COMMAND);
  return result.ok ? [] : result.refusal;
}

function handles(kind: "TCPServerWrap" | "TCPSocketWrap"): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

async function settled(kind: "TCPServerWrap" | "TCPSocketWrap", expected: number): Promise<number> {
  for (let i = 0; i < 50 && handles(kind) !== expected; i++) await new Promise((r) => setTimeout(r, 10));
  return handles(kind);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Holds a loopback port (like another program would) until released. */
async function squat(port = 0): Promise<{ port: number; release: () => Promise<void> }> {
  const server = net.createServer();
  const bound = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => resolve((server.address() as net.AddressInfo).port));
  });
  return { port: bound, release: () => new Promise<void>((r) => server.close(() => r())) };
}

const proxyPlan = (net: NetworkPolicy, ports: readonly [number, number], socks: WindowsProxyPlan["socks"] = null): WindowsProxyPlan => ({
  host: "127.0.0.1",
  ports,
  socks,
  policy: net,
});

const CURL = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].find((p) => existsSync(p));
if (!CURL) console.warn("[enforce-windows] SKIPPING the curl-through-the-run-proxy checks: curl is not installed on this host");

function sh(script: string, env: Readonly<Record<string, string>>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", script], { env: { PATH: "/usr/bin:/bin", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

const ALLOW_LOOPBACK = { enable_socks5: false, domains: { "127.0.0.1": "allow" } };

describe("planning the proxy endpoint (pure)", () => {
  it("network on: the proxy may take any port of the setup's range; the plan carries its rules and stays JSON", () => {
    const before = handles("TCPServerWrap");
    const net = network(ALLOW_LOOPBACK);
    const plan = planOf(net);
    expect(handles("TCPServerWrap")).toBe(before); // planning starts nothing
    expect(plan.network.proxy).toEqual({ host: "127.0.0.1", ports: RANGE, socks: null, policy: net });
    expect(plan.command.env).toEqual(COMMAND.env); // proxy variables are added at launch, with the real port
    expect(plan.notes).toContain(SHARED_PROXY_PORT_NOTE);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it("network off or unelevated: no proxy (and unelevated still refuses the network)", () => {
    expect(planOf({ ...network({}), enabled: false }).network.proxy).toBeNull();
    expect(planOf({ ...network({}), enabled: false }).notes).not.toContain(SHARED_PROXY_PORT_NOTE);
    const unelevated = planFor(policy({ network: network({}) }), COMMAND, assumedFacts({ setup: null }));
    expect(unelevated.ok ? [] : unelevated.refusal).toContainEqual({ rule: "network.enabled = true", reason: MESSAGES.unelevatedNetwork });
  });

  it("a fixed proxy_url port inside the range is used exactly; SOCKS5 on port 0 shares it", () => {
    const plan = planOf(network({ enable_socks5: true, proxy_url: "http://localhost:41740" }));
    expect(plan.network.proxy).toMatchObject({ host: "127.0.0.1", ports: [41740, 41740], socks: null });
  });

  it("a fixed, distinct socks_url port inside the range gets its own listener", () => {
    const plan = planOf(network({ enable_socks5: true, socks_url: "socks5://[::1]:41761" }));
    expect(plan.network.proxy).toMatchObject({ ports: RANGE, socks: { host: "::1", port: 41761 } });
    expect(planOf(network({ enable_socks5: false, socks_url: "socks5://127.0.0.1:9" })).network.proxy?.socks).toBeNull(); // SOCKS5 off: ignored
  });

  it("refuses a proxy port outside the range the WFP filters permit, naming the key and the range", () => {
    expect(refusalsOf(network({ proxy_url: "http://127.0.0.1:3128" }))).toEqual([
      {
        rule: 'network.proxy_url = "http://127.0.0.1:3128"',
        reason: "port 3128 is outside the loopback port range 41730-41761 that the sandbox user's WFP filters permit (set by `cordon setup windows`); use port 0 or a port in that range",
      },
    ]);
    expect(refusalsOf(network({ enable_socks5: true, socks_url: "socks5://127.0.0.1:1080" })).map((r) => r.rule)).toEqual(['network.socks_url = "socks5://127.0.0.1:1080"']);
  });

  it("refuses proxy addresses that are not loopback URLs (hand-built policies)", () => {
    const refusals: Refusal[] = [];
    expect(planProxyListen({ ...network({}), proxyUrl: "" }, RANGE, refusals)).toBeNull();
    expect(planProxyListen({ ...network({}), proxyUrl: "http://10.0.0.1:41730" }, RANGE, refusals)).toBeNull();
    expect(refusals).toEqual([
      { rule: 'network.proxy_url = ""', reason: "not a URL; the managed proxy needs scheme://127.0.0.1:port" },
      {
        rule: 'network.proxy_url = "http://10.0.0.1:41730"',
        reason: "the sandbox user's WFP filters permit only loopback (127.0.0.1, ::1); the managed proxy must listen on 127.0.0.1, ::1 or localhost",
      },
    ]);
  });
});

describe("the run's egress proxy (startWindowsProxy)", () => {
  let server: http.Server;
  let serverPort = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => res.end(`REACHED ${req.url}`));
    serverPort = await new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("skips a port another program holds, binds the next one in the range, and closes without leaks", async () => {
    const taken = await squat();
    const servers = handles("TCPServerWrap");
    const sockets = handles("TCPSocketWrap");
    const range: [number, number] = [taken.port, taken.port + 2];
    const run = await startWindowsProxy(proxyPlan(network(ALLOW_LOOPBACK), range));
    try {
      expect(run.port).toBeGreaterThan(taken.port);
      expect(run.port).toBeLessThanOrEqual(range[1]);
      expect(run.proxy.http).toEqual({ host: "127.0.0.1", port: run.port });
      const url = `http://127.0.0.1:${run.port}`;
      expect(run.env).toEqual({ HTTP_PROXY: url, http_proxy: url, HTTPS_PROXY: url, https_proxy: url, ALL_PROXY: url, all_proxy: url, NO_PROXY: "", no_proxy: "" });
      expect(await listening(run.port)).toBe(true);
    } finally {
      await run.close();
      await taken.release();
    }
    expect(await listening(run.port)).toBe(false);
    expect(run.proxy.openSockets).toBe(0);
    expect(await settled("TCPServerWrap", servers - 1)).toBe(servers - 1); // only the squatter is gone too
    expect(await settled("TCPSocketWrap", sockets)).toBe(sockets);
  });

  it("every port of the range taken: refuses, naming the range, and leaves nothing listening", async () => {
    const taken = await squat();
    const before = handles("TCPServerWrap");
    try {
      await expect(startWindowsProxy(proxyPlan(network({}), [taken.port, taken.port]))).rejects.toThrow(
        `no loopback port for the egress proxy: port ${taken.port} (the range the sandbox user's WFP filters permit) could not be bound: cannot listen on 127.0.0.1:${taken.port}: EADDRINUSE`,
      );
      expect(await settled("TCPServerWrap", before)).toBe(before);
    } finally {
      await taken.release();
    }
  });

  it("a bad policy fails at once (no port scan for errors other than a busy port)", async () => {
    const bad = { ...network({}), mode: "everything" } as unknown as NetworkPolicy;
    const error = await startWindowsProxy(proxyPlan(bad, [1, 65535])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EgressProxyError);
    expect([(error as EgressProxyError).code, (error as Error).message]).toEqual(["E_PROXY_OPTIONS", 'network.mode must be "limited" or "full"']);
  });

  it("SOCKS5: shared listener → ALL_PROXY socks5h on the HTTP port; separate listener → its own port, skipped by the HTTP scan", async () => {
    const shared = await startWindowsProxy(proxyPlan(network({ enable_socks5: true }), RANGE));
    try {
      expect(shared.env["ALL_PROXY"]).toBe(`socks5h://127.0.0.1:${shared.port}`);
    } finally {
      await shared.close();
    }
    const free = await squat();
    await free.release();
    const separate = await startWindowsProxy(proxyPlan(network({ enable_socks5: true }), [free.port, free.port + 1], { host: "127.0.0.1", port: free.port }));
    try {
      expect(separate.port).toBe(free.port + 1);
      expect(separate.env["ALL_PROXY"]).toBe(`socks5h://127.0.0.1:${free.port}`);
      expect(separate.env["HTTP_PROXY"]).toBe(`http://127.0.0.1:${free.port + 1}`);
    } finally {
      await separate.close();
    }
  });

  it.runIf(CURL !== undefined)("a real client using only the variables reaches the allowed server; a denied host gets 403 and a network Denial", async () => {
    const run = await startWindowsProxy(proxyPlan(network(ALLOW_LOOPBACK), RANGE), { logDenials: true });
    try {
      expect(await sh(`curl -sS http://127.0.0.1:${serverPort}/ok`, run.env)).toEqual({ code: 0, out: "REACHED /ok" });
      const denied = await sh(`curl -sS -o /dev/null -D - http://blocked.example:${serverPort}/`, run.env);
      expect(denied.out).toMatch(/^HTTP\/1\.1 403/);
      const log = run.denialLog();
      expect(log.denials).toEqual([{ kind: "network", operation: "connect", target: `blocked.example:${serverPort}`, detail: "not_allowed" }]);
      expect(log.limits[0]).toContain(`127.0.0.1:${run.port}`);
      expect(log.limits[0]).toContain("NET-20");
    } finally {
      await run.close();
    }
  });
});

describe("the command's environment (Windows names are case-insensitive)", () => {
  it("drops every inherited spelling of the proxy variables and sets both forms of each", () => {
    const env = withProxyEnvironment(
      { PATH: "C:\\Windows", Http_Proxy: "http://corp:8080", no_PROXY: "*", all_proxy: "socks5://corp:1080", HTTP_PROXY_EXTRA: "kept" },
      { HTTP_PROXY: "http://127.0.0.1:41730", http_proxy: "http://127.0.0.1:41730", NO_PROXY: "", no_proxy: "" },
    );
    expect(env).toEqual({ PATH: "C:\\Windows", HTTP_PROXY_EXTRA: "kept", HTTP_PROXY: "http://127.0.0.1:41730", http_proxy: "http://127.0.0.1:41730", NO_PROXY: "", no_proxy: "" });
  });
});
