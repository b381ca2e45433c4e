// allow_upstream_proxy: after its own decision, the proxy chains CONNECT (and plain HTTP, over a
// CONNECT tunnel) through the host's proxy, naming the checked IP address, never the name.
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EgressProxy } from "../src/index.js";
import { connectVia, echoThrough, fakeResolver, httpGetVia, proxyFor, socksAddr, socksRequest, startServers, type TestServers } from "./helpers.js";

let servers: TestServers;
let proxy: EgressProxy | undefined;
let upstream: FakeUpstream;

interface FakeUpstream {
  readonly port: number;
  readonly seen: { target: string; auth: string | undefined }[];
  refuse: boolean;
  close(): Promise<void>;
}

/** A minimal CONNECT-only proxy standing in for the host's corporate proxy. */
async function startFakeUpstream(): Promise<FakeUpstream> {
  const sockets = new Set<net.Socket>();
  const state = { seen: [] as { target: string; auth: string | undefined }[], refuse: false };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    let head = "";
    const onData = (c: Buffer): void => {
      head += c.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      const [line, ...headers] = head.slice(0, end).split("\r\n");
      const target = (line ?? "").split(" ")[1] ?? "";
      const auth = headers.find((h) => h.toLowerCase().startsWith("proxy-authorization:"))?.slice(20).trim();
      state.seen.push({ target, auth });
      if (state.refuse) return void client.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
      const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(target);
      const out = net.connect({ host: m?.[1] ?? "", port: Number(m?.[2]) }, () => {
        client.write("HTTP/1.1 200 Connection established\r\n\r\n");
        const rest = head.slice(end + 4);
        if (rest) out.write(rest, "latin1");
        client.pipe(out).pipe(client);
      });
      sockets.add(out);
      out.on("close", () => sockets.delete(out));
      out.on("error", () => client.destroy());
    };
    client.on("data", onData);
  });
  const port = await new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)));
  return Object.assign(state, {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}

beforeAll(async () => {
  servers = await startServers();
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream.close();
  await servers.close();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  upstream.seen.length = 0;
  upstream.refuse = false;
});

function chained(domains: Record<string, string>, resolve?: (h: string) => Promise<string[]>) {
  return proxyFor(
    { domains, allow_upstream_proxy: true, allow_local_binding: true },
    { upstreamProxy: `http://user:p%40ss@127.0.0.1:${upstream.port}`, ...(resolve ? { resolve } : {}) },
  );
}

describe("upstream proxy chaining", () => {
  it("CONNECT goes through the upstream with the checked IP and Proxy-Authorization", async () => {
    const dns = fakeResolver({ "api.example.com": ["127.0.0.1"] });
    proxy = await chained({ "api.example.com": "allow" }, dns.resolve);
    const { answer, socket } = await connectVia(proxy.http, `api.example.com:${servers.echo4}`);
    expect(answer?.status).toBe(200);
    expect(await echoThrough(socket, "chained\n")).toBe("chained\n");
    socket.destroy();
    expect(upstream.seen).toEqual([{ target: `127.0.0.1:${servers.echo4}`, auth: `Basic ${Buffer.from("user:p@ss").toString("base64")}` }]);
  });

  it("a denied target never reaches the upstream", async () => {
    proxy = await chained({ "api.example.com": "allow" });
    const { answer, socket } = await connectVia(proxy.http, `evil.example.com:443`);
    socket.destroy();
    expect(answer?.status).toBe(403);
    const s = await socksRequest(proxy.http, 1, socksAddr("domain", "evil.example.com", 443));
    expect(s.reply).toBe(0x02);
    s.socket.destroy();
    expect(upstream.seen).toEqual([]);
  });

  it("plain HTTP and SOCKS5 are chained too; IPv6 targets are bracketed", async () => {
    proxy = await chained({ "127.0.0.1": "allow", "::1": "allow" });
    const get = await httpGetVia(proxy.http, `http://127.0.0.1:${servers.http4}/via-upstream`, `127.0.0.1:${servers.http4}`);
    expect(JSON.parse(get!.body)).toMatchObject({ url: "/via-upstream", host: `127.0.0.1:${servers.http4}` });
    const s = await socksRequest(proxy.http, 1, socksAddr("ipv6", "::1", servers.echo6));
    expect(s.reply).toBe(0);
    expect(await echoThrough(s.socket, "s\n")).toBe("s\n");
    s.socket.destroy();
    expect(upstream.seen.map((x) => x.target)).toEqual([`127.0.0.1:${servers.http4}`, `[::1]:${servers.echo6}`]);
  });

  it("an upstream refusal becomes 502 for the client", async () => {
    upstream.refuse = true;
    proxy = await chained({ "127.0.0.1": "allow" });
    const { answer, socket } = await connectVia(proxy.http, `127.0.0.1:${servers.echo4}`);
    socket.destroy();
    expect(answer?.status).toBe(502);
    expect(answer?.headers["x-proxy-error"]).toBe("upstream-unreachable");
    expect(JSON.parse(answer!.body).message).toContain("upstream proxy refused CONNECT");
  });

  it("without allow_upstream_proxy the upstream is never used, even when given", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } }, { upstreamProxy: `http://127.0.0.1:${upstream.port}` });
    const { answer, socket } = await connectVia(proxy.http, `127.0.0.1:${servers.echo4}`);
    expect(answer?.status).toBe(200);
    socket.destroy();
    expect(upstream.seen).toEqual([]);
  });
});
