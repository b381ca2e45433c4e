// The run's proxy session, without a sandbox: private directory and socket modes, cleanup, stale
// directories of dead launchers, a lent proxy (checks and time-windowed denials), and the upstream proxy.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEgressProxy } from "@cordon/egress-proxy";
import { planNetwork } from "../../src/network/network-plan.js";
import { denialOf, openProxySession, ProxySessionError, removeStaleRunDirs, upstreamProxyFrom } from "../../src/network/proxy-session.js";
import { domain, netPolicy } from "./net-harness.js";

let runtimeDir = "";
beforeEach(() => {
  runtimeDir = mkdtempSync("/tmp/cordon-session-test-");
});
afterEach(() => rmSync(runtimeDir, { recursive: true, force: true }));

/** Sends a CONNECT over the unix socket and returns the status line. */
function connectOver(socket: string, authority: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket, () => c.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
    let text = "";
    c.on("data", (d: Buffer) => {
      text += d.toString();
      if (text.includes("\r\n")) {
        c.destroy();
        resolve(text.split("\r\n")[0]!);
      }
    });
    c.on("error", reject);
  });
}

describe("openProxySession (cordon starts the proxy)", () => {
  it("listens on 0600 sockets in a 0700 net-<pid>-* directory, records refusals, and removes everything on close", async () => {
    const net1 = planNetwork(netPolicy({ socksUrl: "socks5://127.0.0.1:1080", domains: [domain("ok.test", "allow")] }).network);
    const session = await openProxySession(net1, runtimeDir, { resolve: async () => ["192.0.2.1"] });
    const dir = path.dirname(session.sockets.proxy!);
    expect(path.basename(dir)).toMatch(new RegExp(`^net-${process.pid}-`));
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(lstatSync(session.sockets.proxy!).mode & 0o777).toBe(0o600);
    expect(lstatSync(session.sockets.socks!).isSocket()).toBe(true);
    expect(await connectOver(session.sockets.proxy!, "denied.test:443")).toBe("HTTP/1.1 403 Forbidden");
    expect(session.denials()).toEqual([{ kind: "network", operation: "connect", target: "denied.test:443", detail: "not_allowed" }]);
    await session.close();
    await session.close(); // idempotent
    expect(existsSync(dir)).toBe(false);
  });

  it("fails with a clear error (and leaves nothing) when the proxy cannot start", async () => {
    const bad = planNetwork(netPolicy({}).network);
    const missing = path.join(runtimeDir, "no-such-dir");
    await expect(openProxySession(bad, missing, {})).rejects.toThrow(ProxySessionError);
    await expect(openProxySession({ ...bad, policy: { ...bad.policy, mode: "bogus" as "full" } }, runtimeDir, {})).rejects.toThrow(/^cordon: cannot start the egress proxy: network.mode must be "limited" or "full"$/);
    expect(readdirSync(runtimeDir)).toEqual([]);
  });

  it("removes per-run directories of launchers that are gone, keeps live ones and unrelated entries", () => {
    mkdirSync(path.join(runtimeDir, "net-999999999-abc"));
    mkdirSync(path.join(runtimeDir, `net-${process.pid}-live`));
    mkdirSync(path.join(runtimeDir, "journal"));
    removeStaleRunDirs(runtimeDir);
    expect(readdirSync(runtimeDir).sort()).toEqual(["journal", `net-${process.pid}-live`]);
  });
});

describe("openProxySession with a lent proxy", () => {
  it("uses its sockets, does not close it, and reports only denials made during the run", async () => {
    const network = netPolicy({ domains: [domain("ok.test", "allow")] }).network;
    const dir = mkdtempSync("/tmp/cordon-lent-test-");
    const proxy = await startEgressProxy({ network, listen: { unixSocket: path.join(dir, "p.sock") } });
    try {
      await connectOver(path.join(dir, "p.sock"), "before.test:80");
      const session = await openProxySession(planNetwork(network), runtimeDir, { proxy });
      expect(session.sockets).toEqual({ proxy: path.join(dir, "p.sock") });
      await connectOver(path.join(dir, "p.sock"), "during.test:80");
      await session.close();
      await connectOver(path.join(dir, "p.sock"), "after.test:80");
      expect(session.denials().map((d) => d.target)).toEqual(["during.test:80"]);
      expect(readdirSync(runtimeDir)).toEqual([]);
    } finally {
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a lent proxy on TCP, or one without the SOCKS5 endpoint the policy's socks_url needs", async () => {
    const network = netPolicy({}).network;
    const tcp = await startEgressProxy({ network, listen: { host: "127.0.0.1", port: 0 } });
    const dir = mkdtempSync("/tmp/cordon-lent-test-");
    const noSocks = await startEgressProxy({ network: { ...network, enableSocks5: false }, listen: { unixSocket: path.join(dir, "p.sock") } });
    try {
      await expect(openProxySession(planNetwork(network), runtimeDir, { proxy: tcp })).rejects.toThrow("cordon: the proxy passed to spawn must listen on a unix socket (the sandbox reaches it through a bind mount)");
      const needsSocks = planNetwork(netPolicy({ socksUrl: "socks5://127.0.0.1:1080" }).network);
      await expect(openProxySession(needsSocks, runtimeDir, { proxy: noSocks })).rejects.toThrow("cordon: the policy's socks_url needs a SOCKS5 endpoint, but the proxy passed to spawn serves none on a unix socket");
    } finally {
      await tcp.close();
      await noSocks.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("helpers", () => {
  it("upstreamProxyFrom: the launcher's HTTPS_PROXY first, then HTTP_PROXY, either case; empty values ignored", () => {
    expect(upstreamProxyFrom({ HTTP_PROXY: "http://h:1", HTTPS_PROXY: "http://s:2" })).toBe("http://s:2");
    expect(upstreamProxyFrom({ HTTPS_PROXY: "", http_proxy: "http://l:3" })).toBe("http://l:3");
    expect(upstreamProxyFrom({})).toBeUndefined();
  });

  it("denialOf: host:port, IPv6 in brackets, protocol for a request without a target", () => {
    const d = { time: 0, decision: "deny" as const, rule: "", addresses: [] };
    expect(denialOf({ ...d, protocol: "connect", host: "::1", port: 443, reason: "not_allowed_local" })).toEqual({ kind: "network", operation: "connect", target: "[::1]:443", detail: "not_allowed_local" });
    expect(denialOf({ ...d, protocol: "socks5", host: "", port: null, reason: "command_not_supported" }).target).toBe("(socks5 request)");
  });
});
