// Spec section 5 through the proxy (HTTP CONNECT and plain HTTP): patterns, deny wins, modes,
// local literals, resolved private addresses. Every denial is paired with an allowed control and
// checked on the host side (did a connection reach the server? was DNS asked?).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EgressProxy } from "../src/index.js";
import { connectVia, echoThrough, fakeResolver, httpGetVia, proxyFor, startServers, type TestServers } from "./helpers.js";

let servers: TestServers;
let proxy: EgressProxy | undefined;
beforeAll(async () => {
  servers = await startServers();
});
afterAll(async () => {
  await servers.close();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

// Public documentation-free addresses the fake resolver can hand out; they are only ever used as
// resolver answers for names whose connection is expected to be refused before connecting.
const LOOPBACK = "127.0.0.1";

/** A policy whose named hosts resolve (fake) to the loopback test servers, with local binding on. */
async function namedProxy(domains: Record<string, string>, extra: Record<string, unknown> = {}) {
  const dns = fakeResolver({
    "example.com": [LOOPBACK],
    "api.example.com": [LOOPBACK],
    "a.b.example.com": [LOOPBACK],
    "evil.example.com": [LOOPBACK],
    "other.org": [LOOPBACK],
  });
  // allow_local_binding lets the fake names reach the loopback test servers; the local-address
  // rules themselves are tested separately below with it off.
  proxy = await proxyFor({ domains, allow_local_binding: true, ...extra }, { resolve: dns.resolve });
  return dns;
}

async function connectStatus(target: string): Promise<number | undefined> {
  const { answer, socket } = await connectVia(proxy!.http, target);
  socket.destroy();
  return answer?.status;
}

describe("domain patterns (CONNECT)", () => {
  it("exact pattern allows only that host", async () => {
    await namedProxy({ "example.com": "allow" });
    const before = servers.accepted.echo4 ?? 0;
    const { answer, socket } = await connectVia(proxy!.http, `example.com:${servers.echo4}`);
    expect(answer?.status).toBe(200);
    expect(await echoThrough(socket, "hello\n")).toBe("hello\n");
    socket.destroy();
    expect(servers.accepted.echo4).toBe(before + 1);
    expect(await connectStatus(`api.example.com:${servers.echo4}`)).toBe(403);
    expect(await connectStatus(`other.org:${servers.echo4}`)).toBe(403);
    expect(servers.accepted.echo4).toBe(before + 1);
  });

  it("*.example.com allows subdomains at any depth but not the apex", async () => {
    await namedProxy({ "*.example.com": "allow" });
    expect(await connectStatus(`api.example.com:${servers.echo4}`)).toBe(200);
    expect(await connectStatus(`a.b.example.com:${servers.echo4}`)).toBe(200);
    expect(await connectStatus(`example.com:${servers.echo4}`)).toBe(403);
  });

  it("**.example.com allows the apex and subdomains", async () => {
    await namedProxy({ "**.example.com": "allow" });
    expect(await connectStatus(`example.com:${servers.echo4}`)).toBe(200);
    expect(await connectStatus(`a.b.example.com:${servers.echo4}`)).toBe(200);
    expect(await connectStatus(`other.org:${servers.echo4}`)).toBe(403);
  });

  it('"*" allows every name', async () => {
    await namedProxy({ "*": "allow" });
    expect(await connectStatus(`other.org:${servers.echo4}`)).toBe(200);
    expect(await connectStatus(`example.com:${servers.echo4}`)).toBe(200);
  });

  it("deny wins over a matching allow, with reason and JSON body", async () => {
    const dns = await namedProxy({ "**.example.com": "allow", "evil.example.com": "deny" });
    const { answer, socket } = await connectVia(proxy!.http, `evil.example.com:${servers.echo4}`);
    socket.destroy();
    expect(answer?.status).toBe(403);
    expect(answer?.headers["x-proxy-error"]).toBe("blocked-by-denylist");
    expect(answer?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(answer!.body)).toEqual({
      status: "blocked",
      host: "evil.example.com",
      port: servers.echo4,
      reason: "denied",
      message: "Domain denied by the sandbox policy.",
    });
    expect(dns.calls).not.toContain("evil.example.com");
    expect(await connectStatus(`api.example.com:${servers.echo4}`)).toBe(200);
  });

  it("limited mode with no allow pattern blocks with blocked-by-allowlist", async () => {
    await namedProxy({});
    const { answer, socket } = await connectVia(proxy!.http, `example.com:${servers.echo4}`);
    socket.destroy();
    expect(answer?.status).toBe(403);
    expect(answer?.headers["x-proxy-error"]).toBe("blocked-by-allowlist");
    expect(JSON.parse(answer!.body).reason).toBe("not_allowed");
    expect(JSON.parse(answer!.body).message).toBe("Domain not in the sandbox allowlist.");
  });

  it('mode "full" allows everything except denied hosts', async () => {
    await namedProxy({ "evil.example.com": "deny" }, { mode: "full" });
    expect(await connectStatus(`other.org:${servers.echo4}`)).toBe(200);
    expect(await connectStatus(`evil.example.com:${servers.echo4}`)).toBe(403);
  });

  it("matching is case-insensitive and ignores a trailing dot", async () => {
    await namedProxy({ "example.com": "allow", "evil.example.com": "deny" });
    expect(await connectStatus(`EXAMPLE.com.:${servers.echo4}`)).toBe(200);
    expect(await connectStatus(`Evil.Example.COM.:${servers.echo4}`)).toBe(403);
  });

  it("network.enabled = false denies everything", async () => {
    proxy = await proxyFor({ enabled: false, domains: { "*": "allow", "127.0.0.1": "allow" } });
    const { answer, socket } = await connectVia(proxy.http, `127.0.0.1:${servers.echo4}`);
    socket.destroy();
    expect(answer?.status).toBe(403);
    expect(JSON.parse(answer!.body).reason).toBe("network_disabled");
    expect(answer?.headers["x-proxy-error"]).toBe("blocked-network-disabled");
  });
});

describe("local and private targets", () => {
  it("127.0.0.1 needs an exact allow; '*' does not open it", async () => {
    proxy = await proxyFor({ domains: { "*": "allow" } });
    const before = servers.accepted.echo4 ?? 0;
    const { answer, socket } = await connectVia(proxy.http, `127.0.0.1:${servers.echo4}`);
    socket.destroy();
    expect(answer?.status).toBe(403);
    expect(JSON.parse(answer!.body).reason).toBe("not_allowed_local");
    expect(answer?.headers["x-proxy-error"]).toBe("blocked-by-local-policy");
    await proxy.close();
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    expect(await connectStatus(`127.0.0.1:${servers.echo4}`)).toBe(200);
    expect(servers.accepted.echo4).toBe(before + 1);
  });

  it("localhost and 127.0.0.1 are not interchangeable", async () => {
    const dns = fakeResolver({ localhost: ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } }, { resolve: dns.resolve });
    expect(await connectStatus(`127.0.0.1:${servers.echo4}`)).toBe(200);
    expect(await connectStatus(`localhost:${servers.echo4}`)).toBe(403);
    expect(dns.calls).toEqual([]); // localhost was refused before any lookup
    await proxy.close();
    proxy = await proxyFor({ domains: { localhost: "allow" } }, { resolve: dns.resolve });
    expect(await connectStatus(`localhost:${servers.echo4}`)).toBe(200);
    expect(await connectStatus(`127.0.0.1:${servers.echo4}`)).toBe(403);
    expect(dns.calls).toEqual(["localhost"]);
  });

  it("::1 works as an exact IPv6 literal in brackets", async () => {
    proxy = await proxyFor({ domains: { "::1": "allow" } });
    const { answer, socket } = await connectVia(proxy.http, `[::1]:${servers.echo6}`);
    expect(answer?.status).toBe(200);
    expect(await echoThrough(socket, "v6\n")).toBe("v6\n");
    socket.destroy();
    expect(await connectStatus(`127.0.0.1:${servers.echo4}`)).toBe(403);
  });

  it("a name resolving to a private address is denied unless allow_local_binding", async () => {
    const dns = fakeResolver({ "internal.example.com": ["10.1.2.3"], "loop.example.com": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "*.example.com": "allow" } }, { resolve: dns.resolve });
    const { answer, socket } = await connectVia(proxy.http, `internal.example.com:443`);
    socket.destroy();
    expect(answer?.status).toBe(403);
    expect(JSON.parse(answer!.body).reason).toBe("not_allowed_local");
    expect(proxy.decisions.at(-1)).toMatchObject({ host: "internal.example.com", decision: "deny", addresses: ["10.1.2.3"] });
    const before = servers.accepted.echo4 ?? 0;
    expect(await connectStatus(`loop.example.com:${servers.echo4}`)).toBe(403);
    expect(servers.accepted.echo4).toBe(before);
    await proxy.close();
    proxy = await proxyFor({ domains: { "*.example.com": "allow" }, allow_local_binding: true }, { resolve: dns.resolve });
    expect(await connectStatus(`loop.example.com:${servers.echo4}`)).toBe(200);
    expect(servers.accepted.echo4).toBe(before + 1);
  });

  it("every resolved address is checked: one private address among public ones denies", async () => {
    const dns = fakeResolver({ "mixed.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "169.254.169.254"] });
    proxy = await proxyFor({ domains: { "mixed.example.com": "allow" } }, { resolve: dns.resolve });
    expect(await connectStatus("mixed.example.com:80")).toBe(403);
    expect(proxy.decisions.at(-1)).toMatchObject({ reason: "not_allowed_local", addresses: ["169.254.169.254"] });
  });

  it("an address a deny pattern lists is refused even when reached by an allowed name", async () => {
    const dns = fakeResolver({ "loop.example.com": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "*.example.com": "allow", "127.0.0.1": "deny" }, allow_local_binding: true }, { resolve: dns.resolve });
    expect(await connectStatus(`loop.example.com:${servers.echo4}`)).toBe(403);
    expect(proxy.decisions.at(-1)?.reason).toBe("denied");
  });
});

describe("plain HTTP forwarding (NET-06)", () => {
  it("forwards an allowed absolute-form GET in origin-form, without hop-by-hop and Proxy-* headers", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    const url = `http://127.0.0.1:${servers.http4}/path?q=1`;
    const answer = await httpGetVia(proxy.http, url, `127.0.0.1:${servers.http4}`,
      "Proxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\nX-Drop-Me: 1\r\nKeep-Alive: 5\r\nConnection: close, X-Drop-Me\r\nX-Keep: yes\r\n");
    expect(answer?.status).toBe(200);
    const body = JSON.parse(answer!.body);
    expect(body).toMatchObject({ server: "http4", method: "GET", url: "/path?q=1", host: `127.0.0.1:${servers.http4}` });
    const seen = servers.requests.at(-1)!;
    expect(seen.headers["x-keep"]).toBe("yes");
    for (const h of ["proxy-authorization", "proxy-connection", "x-drop-me", "keep-alive"]) expect(seen.headers[h]).toBeUndefined();
    // Response hop-by-hop and Proxy-* headers are not passed back either.
    expect(answer?.headers["proxy-agent"]).toBeUndefined();
    expect(answer?.headers["keep-alive"]).toBeUndefined();
  });

  it("forwards a POST body (Content-Length and chunked)", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    const { rawExchange } = await import("./helpers.js");
    const target = `127.0.0.1:${servers.http4}`;
    const a = await rawExchange(proxy.http, `POST http://${target}/p HTTP/1.1\r\nHost: ${target}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`);
    a.socket.destroy();
    expect(JSON.parse(a.answer!.body)).toMatchObject({ method: "POST", body: "hello" });
    const b = await rawExchange(proxy.http, `POST http://${target}/p HTTP/1.1\r\nHost: ${target}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n`);
    b.socket.destroy();
    expect(JSON.parse(b.answer!.body)).toMatchObject({ method: "POST", body: "abcde" });
  });

  it("a denied plain-HTTP GET gets 403 and never reaches the server", async () => {
    const dns = fakeResolver({ "denied.example": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "allowed.example": "allow" } }, { resolve: dns.resolve });
    const before = servers.requests.length;
    const answer = await httpGetVia(proxy.http, `http://denied.example:${servers.http4}/?q=SECRET`, `denied.example:${servers.http4}`);
    expect(answer?.status).toBe(403);
    expect(answer?.headers["x-proxy-error"]).toBe("blocked-by-allowlist");
    expect(JSON.parse(answer!.body)).toMatchObject({ status: "blocked", host: "denied.example", port: servers.http4, reason: "not_allowed" });
    expect(servers.requests.length).toBe(before);
    expect(dns.calls).toEqual([]);
  });

  it("plain HTTP to ::1 with an exact allow works; private literal without it is refused", async () => {
    proxy = await proxyFor({ domains: { "::1": "allow" } });
    const ok = await httpGetVia(proxy.http, `http://[::1]:${servers.http6}/six`, `[::1]:${servers.http6}`);
    expect(JSON.parse(ok!.body)).toMatchObject({ server: "http6", url: "/six" });
    const no = await httpGetVia(proxy.http, `http://127.0.0.1:${servers.http4}/`, `127.0.0.1:${servers.http4}`);
    expect(no?.status).toBe(403);
  });
});

describe("resolver failures", () => {
  it("a failing, throwing, empty or non-IP resolver answer never connects anywhere", async () => {
    const answers: Record<string, () => Promise<string[]>> = {
      "nx.example": async () => { throw Object.assign(new Error("nx"), { code: "ENOTFOUND" }); },
      "throws.example": () => { throw new Error("sync throw"); },
      "empty.example": async () => [],
      "name.example": async () => ["other.example"],
    };
    proxy = await proxyFor({ domains: { "*.example": "allow" } }, { resolve: (h) => (answers[h] as () => Promise<string[]>)() });
    expect(await connectStatus("nx.example:80")).toBe(502);
    expect(await connectStatus("throws.example:80")).toBe(502);
    expect(await connectStatus("empty.example:80")).toBe(502);
    const { answer, socket } = await connectVia(proxy.http, "name.example:80");
    socket.destroy();
    expect(answer?.status).toBe(400);
    expect(proxy.decisions.at(-1)).toMatchObject({ host: "name.example", decision: "deny", reason: "invalid_host" });
  });
});

describe("keep-alive and upgrades", () => {
  it("each request on a keep-alive connection is decided on its own (no pinned upstream)", async () => {
    const dns = fakeResolver({ "allowed.example": ["127.0.0.1"], "denied.example": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "allowed.example": "allow" }, allow_local_binding: true }, { resolve: dns.resolve });
    const { dial, readUntil, parseAnswer } = await import("./helpers.js");
    const a = `allowed.example:${servers.http4}`;
    const s = await dial(proxy.http);
    s.write(`GET http://${a}/1 HTTP/1.1\r\nHost: ${a}\r\n\r\n`);
    const first = await readUntil(s, (b) => parseAnswer(b) !== null);
    expect(parseAnswer(first.data)?.status).toBe(200);
    const before = servers.accepted.http4 ?? 0;
    const requests = servers.requests.length;
    const d = `denied.example:${servers.http4}`;
    s.write(`GET http://${d}/2 HTTP/1.1\r\nHost: ${d}\r\n\r\n`);
    const second = await readUntil(s, (b) => parseAnswer(b) !== null);
    expect(parseAnswer(second.data)?.status).toBe(403);
    s.destroy();
    expect(servers.requests.length).toBe(requests);
    expect(servers.accepted.http4).toBe(before);
    expect(dns.calls).toEqual(["allowed.example"]);
  });

  it("an Upgrade request over plain forwarding is refused with 501 (use CONNECT)", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    const { rawExchange } = await import("./helpers.js");
    const t = `127.0.0.1:${servers.http4}`;
    const before = servers.requests.length;
    const { answer, socket } = await rawExchange(proxy.http,
      `GET http://${t}/ws HTTP/1.1\r\nHost: ${t}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    socket.destroy();
    expect(answer?.status).toBe(501);
    expect(JSON.parse(answer!.body).message).toBe("protocol upgrades over plain HTTP forwarding are not supported; use CONNECT");
    expect(servers.requests.length).toBe(before);
  });
});

describe("decisions", () => {
  it("records every decision and reports it through onDecision", async () => {
    const seen: string[] = [];
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } }, { onDecision: (d) => seen.push(`${d.protocol} ${d.host} ${d.decision} ${d.reason}`) });
    await connectStatus(`127.0.0.1:${servers.echo4}`);
    await connectStatus(`10.0.0.1:443`);
    expect(seen).toEqual([`connect 127.0.0.1 allow allowed`, `connect 10.0.0.1 deny not_allowed_local`]);
    expect(proxy.decisions.map((d) => d.decision)).toEqual(["allow", "deny"]);
    expect(proxy.decisions[0]).toMatchObject({ port: servers.echo4, addresses: ["127.0.0.1"] });
    expect(proxy.decisions[0]?.rule).toContain("127.0.0.1");
  });

  it("keeps at most maxDecisions (oldest dropped) and survives a throwing onDecision", async () => {
    proxy = await proxyFor({ domains: {} }, { limits: { maxDecisions: 3 }, onDecision: () => { throw new Error("logger broke"); } });
    for (const p of [1, 2, 3, 4, 5]) expect(await connectStatus(`10.0.0.1:${p}`)).toBe(403);
    expect(proxy.decisions.map((d) => d.port)).toEqual([3, 4, 5]);
  });
});
