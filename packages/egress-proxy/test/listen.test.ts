// Listener privacy (NET-20) and option validation: unix sockets are 0600 in a private directory,
// TCP only on loopback, and every bad option is a clear EgressProxyError (no stack trace needed).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EgressProxyError, startEgressProxy, type EgressProxy } from "../src/index.js";
import { connectVia, echoThrough, policy, proxyFor, startServers, type TestServers } from "./helpers.js";

let servers: TestServers;
let proxy: EgressProxy | undefined;
const dirs: string[] = [];
beforeAll(async () => {
  servers = await startServers();
});
afterAll(async () => {
  await servers.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

function privateDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "cordon-proxy-"));
  dirs.push(d);
  return d;
}

async function startError(options: Record<string, unknown>): Promise<EgressProxyError> {
  const err = await startEgressProxy({ network: policy({ domains: {} }), listen: { host: "127.0.0.1", port: 0 }, ...options } as never).then(
    async (p) => {
      await p.close();
      throw new Error("expected startEgressProxy to fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EgressProxyError);
  return err as EgressProxyError;
}

describe("unix socket listener", () => {
  it("serves HTTP and SOCKS5 on a 0600 socket and removes it on close", async () => {
    const dir = privateDir();
    const sock = path.join(dir, "proxy.sock");
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } }, { listen: { unixSocket: sock } });
    expect(proxy.http).toEqual({ unixSocket: sock });
    expect(proxy.socks).toEqual({ unixSocket: sock });
    expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
    const { answer, socket } = await connectVia(proxy.http, `127.0.0.1:${servers.echo4}`);
    expect(answer?.status).toBe(200);
    expect(await echoThrough(socket, "unix\n")).toBe("unix\n");
    socket.destroy();
    await proxy.close();
    proxy = undefined;
    expect(fs.existsSync(sock)).toBe(false);
  });

  it("refuses a socket directory that others can enter", async () => {
    const dir = privateDir();
    fs.chmodSync(dir, 0o755);
    const err = await startError({ listen: { unixSocket: path.join(dir, "p.sock") } });
    expect(err.code).toBe("E_PROXY_LISTEN");
    expect(err.message).toBe(`socket directory ${dir} has mode 0755; it must be private to this user (0700)`);
    expect(fs.existsSync(path.join(dir, "p.sock"))).toBe(false);
  });

  it("refuses a symlinked or missing socket directory", async () => {
    const dir = privateDir();
    const link = path.join(privateDir(), "link");
    fs.symlinkSync(dir, link);
    const err = await startError({ listen: { unixSocket: path.join(link, "p.sock") } });
    expect(err.message).toBe(`socket directory ${link} is not a directory (or is a symlink)`);
    const missing = await startError({ listen: { unixSocket: path.join(dir, "nope", "p.sock") } });
    expect(missing.message).toBe(`cannot use socket directory ${path.join(dir, "nope")}: ENOENT`);
  });

  it("refuses a socket path that is already in use", async () => {
    const sock = path.join(privateDir(), "p.sock");
    proxy = await proxyFor({ domains: {} }, { listen: { unixSocket: sock } });
    const err = await startError({ listen: { unixSocket: sock } });
    expect(err.code).toBe("E_PROXY_LISTEN");
    expect(err.message).toBe(`cannot listen on unix:${sock}: EADDRINUSE`);
  });
});

describe("TCP listener", () => {
  it("binds loopback only: 127.0.0.1 and ::1, with the real port reported", async () => {
    proxy = await proxyFor({ domains: { "::1": "allow" } }, { listen: { host: "::1", port: 0 } });
    expect(proxy.http).toMatchObject({ host: "::1" });
    expect((proxy.http as { port: number }).port).toBeGreaterThan(0);
    const { answer, socket } = await connectVia(proxy.http, `[::1]:${servers.echo6}`);
    expect(answer?.status).toBe(200);
    socket.destroy();
  });

  it("rejects non-loopback hosts and malformed addresses", async () => {
    for (const listen of [{ host: "0.0.0.0", port: 0 }, { host: "localhost", port: 0 }, { host: "::", port: 0 }]) {
      const err = await startError({ listen });
      expect(err.code).toBe("E_PROXY_OPTIONS");
      expect(err.message).toBe('listen must be { unixSocket: "/abs/path" } or { host: "127.0.0.1" | "::1", port }');
    }
    expect((await startError({ listen: { host: "127.0.0.1", port: 70000 } })).message).toBe("listen.port must be an integer 0-65535");
    expect((await startError({ listen: { unixSocket: "relative.sock" } })).message).toBe("listen.unixSocket must be an absolute path");
    expect((await startError({ listen: { unixSocket: `/tmp/${"x".repeat(120)}` } })).message).toBe("listen.unixSocket is longer than 107 bytes");
    expect((await startError({ socksListen: { host: "10.0.0.1", port: 0 } })).message).toBe(
      'socksListen must be { unixSocket: "/abs/path" } or { host: "127.0.0.1" | "::1", port }',
    );
  });
});

describe("option validation", () => {
  it("limits must be positive integers and known", async () => {
    expect((await startError({ limits: { idleTimeoutMs: -1 } })).message).toBe("limits.idleTimeoutMs: must be a positive integer, got -1");
    expect((await startError({ limits: { maxConnections: 1.5 } })).message).toBe("limits.maxConnections: must be a positive integer, got 1.5");
    expect((await startError({ limits: { bogus: 1 } })).message).toBe("limits.bogus: unknown limit");
  });

  it("the upstream proxy URL must be http://host:port (only checked when chaining is allowed)", async () => {
    const chaining = policy({ domains: {}, allow_upstream_proxy: true });
    const bad = async (upstreamProxy: string): Promise<string> => (await startError({ network: chaining, upstreamProxy })).message;
    expect(await bad("https://proxy.corp:8443")).toBe("upstreamProxy: only http:// upstream proxies are supported, got https://");
    expect(await bad("http://proxy.corp")).toBe("upstreamProxy: the URL must name a port (http://host:port)");
    expect(await bad("not a url")).toBe('upstreamProxy: "not a url" is not a URL');
    expect(await bad("http://proxy.corp:3128/path")).toBe("upstreamProxy: the URL must not have a path, query or fragment");
    // Without allow_upstream_proxy the value is ignored entirely (never parsed, never used).
    proxy = await proxyFor({ domains: {} }, { upstreamProxy: "https://ignored" });
  });

  it("the network policy must have the ResolvedPolicy shape", async () => {
    expect((await startError({ network: null })).message).toBe("network must be a NetworkPolicy (ResolvedPolicy.network)");
    expect((await startError({ network: { ...policy({}), mode: "open" } })).message).toBe('network.mode must be "limited" or "full"');
    expect((await startError({ network: { ...policy({}), enableSocks5: "yes" } })).message).toBe("network.enableSocks5 must be a boolean");
    expect((await startError({ resolve: "8.8.8.8" })).message).toBe("resolve must be a function (host) => Promise<string[]>");
  });

  it("a second listener that fails closes the first", async () => {
    const sock = path.join(privateDir(), "busy.sock");
    proxy = await proxyFor({ domains: {} }, { listen: { unixSocket: sock } });
    const first = path.join(privateDir(), "first.sock");
    const err = await startError({ listen: { unixSocket: first }, socksListen: { unixSocket: sock } });
    expect(err.message).toBe(`cannot listen on unix:${sock}: EADDRINUSE`);
    expect(fs.existsSync(first)).toBe(false);
  });
});
