// Threat catalogue NET-05/07/08/11/12/13 against the proxy: each attack is paired with an allowed
// control, and host-side evidence (resolver calls, server accept counts) is checked.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EgressProxy } from "../src/index.js";
import {
  connectVia,
  echoThrough,
  fakeResolver,
  httpGetVia,
  proxyFor,
  rawExchange,
  socksAddr,
  socksRequest,
  startServers,
  type TestServers,
} from "./helpers.js";

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

async function connectStatus(target: string, hostHeader: string | null = target): Promise<{ status: number | undefined; body: Record<string, unknown> | undefined }> {
  const { answer, socket } = await connectVia(proxy!.http, target, hostHeader === null ? "" : `Host: ${hostHeader}\r\n`);
  socket.destroy();
  return { status: answer?.status, body: answer && answer.status !== 200 ? (JSON.parse(answer.body) as Record<string, unknown>) : undefined };
}

describe("NET-05: no DNS lookup for names the policy refuses", () => {
  it("denied, unlisted and invalid names are refused with zero lookups over CONNECT, HTTP and SOCKS5", async () => {
    const dns = fakeResolver({ "ok.example.com": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "ok.example.com": "allow", "*.evil.tld": "deny" }, allow_local_binding: true }, { resolve: dns.resolve });
    const secretNames = ["c2VjcmV0.x.evil.tld", "c2VjcmV0.unlisted.example", "aGVsbG8.evil.tld."];
    for (const name of secretNames) {
      expect((await connectStatus(`${name}:443`)).status).toBe(403);
      expect((await httpGetVia(proxy.http, `http://${name}/`, name))?.status).toBe(403);
      const s = await socksRequest(proxy.http, 1, socksAddr("domain", name.replace(/\.$/, ""), 443));
      expect(s.reply).toBe(0x02);
      s.socket.destroy();
    }
    // Names that are not valid host names at all never reach the resolver either.
    expect((await connectStatus("bad_$(id).evil.tld:443", null)).status).toBe(400);
    expect(dns.calls).toEqual([]);
    // Control: an allowed name is resolved exactly once per request.
    const { status } = await connectStatus(`ok.example.com:${servers.echo4}`);
    expect(status).toBe(200);
    expect(dns.calls).toEqual(["ok.example.com"]);
  });
});

describe("NET-07: alternate spellings of a local address", () => {
  const spellings = [
    "2130706433",
    "0x7f000001",
    "0x7f.1",
    "127.1",
    "0177.0.0.1",
    "127.0.0.1.",
    "[::ffff:7f00:1]",
    "[::ffff:127.0.0.1]",
    "[0:0:0:0:0:ffff:7f00:1]",
  ];

  it("every spelling of 127.0.0.1 is denied by a 127.0.0.1 deny (and '*' never opens it)", async () => {
    proxy = await proxyFor({ domains: { "*": "allow", "127.0.0.1": "deny" }, allow_local_binding: true });
    const before = servers.accepted.echo4;
    for (const host of spellings) {
      const { status, body } = await connectStatus(`${host}:${servers.echo4}`);
      expect(status, host).toBe(403);
      expect(body?.host, host).toBe(host.startsWith("[::") || host.startsWith("[0:") ? "::ffff:127.0.0.1" : "127.0.0.1");
    }
    expect(servers.accepted.echo4).toBe(before);
  });

  it("with only '*' allowed, every local spelling (and 0, localhost forms) is not_allowed_local", async () => {
    const dns = fakeResolver({});
    proxy = await proxyFor({ domains: { "*": "allow" } }, { resolve: dns.resolve });
    for (const host of [...spellings, "0", "0.0.0.0", "localhost", "LOCALHOST", "localhost.", "foo.localhost", "[::1]", "[::]"]) {
      const { status, body } = await connectStatus(`${host}:${servers.echo4}`);
      expect(status, host).toBe(403);
      expect(body?.reason, host).toBe("not_allowed_local");
    }
    expect(dns.calls).toEqual([]);
  });

  it("control: the spellings reach the same checked address when 127.0.0.1 is allowed exactly", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    for (const host of ["2130706433", "0x7f000001", "127.1"]) {
      const { answer, socket } = await connectVia(proxy.http, `${host}:${servers.echo4}`);
      expect(answer?.status, host).toBe(200);
      expect(await echoThrough(socket, "x\n")).toBe("x\n");
      socket.destroy();
    }
    expect(proxy.decisions.every((d) => d.addresses[0] === "127.0.0.1")).toBe(true);
  });

  it("a public-looking name that resolves to loopback (127.0.0.1.nip.io) is refused", async () => {
    const dns = fakeResolver({ "127.0.0.1.nip.io": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "*": "allow" } }, { resolve: dns.resolve });
    const { status, body } = await connectStatus(`127.0.0.1.nip.io:${servers.echo4}`);
    expect(status).toBe(403);
    expect(body?.reason).toBe("not_allowed_local");
    expect(dns.calls).toEqual(["127.0.0.1.nip.io"]);
  });

  it("bracketed names, userinfo, percent-encoding and unbracketed IPv6 are malformed (400)", async () => {
    const dns = fakeResolver({ "allowed.example": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "allowed.example": "allow" }, allow_local_binding: true }, { resolve: dns.resolve });
    for (const target of ["[allowed.example]:443", "allowed.example@evil.tld:443", "%61llowed.example:443", "::1:443", "allowed.example", "allowed.example:"]) {
      const { status, body } = await connectStatus(target, null);
      expect(status, target).toBe(400);
      expect(["invalid_request", "invalid_host"], target).toContain(body?.reason);
    }
    for (const url of ["http://allowed.example@evil.tld/", "http://evil.tld\\@allowed.example/", "http://%61llowed.example/"]) {
      expect((await httpGetVia(proxy.http, url, null))?.status, url).toBe(400);
    }
    expect(dns.calls).toEqual([]);
    expect((await connectStatus(`allowed.example:${servers.echo4}`)).status).toBe(200);
  });
});

describe("NET-08: Host header must match the target", () => {
  it("plain HTTP with a different Host header is refused before any connection", async () => {
    const dns = fakeResolver({ "allowed.example": ["127.0.0.1"], "other.example": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "allowed.example": "allow" }, allow_local_binding: true }, { resolve: dns.resolve });
    const before = servers.requests.length;
    const bad = await httpGetVia(proxy.http, `http://allowed.example:${servers.http4}/`, "other.example");
    expect(bad?.status).toBe(400);
    expect(JSON.parse(bad!.body)).toMatchObject({ reason: "invalid_request" });
    expect(proxy.decisions.at(-1)?.rule).toContain("does not match");
    const port = await httpGetVia(proxy.http, `http://allowed.example:${servers.http4}/`, `allowed.example:${servers.http4 + 1}`);
    expect(port?.status).toBe(400);
    const dup = await rawExchange(proxy.http, `GET http://allowed.example:${servers.http4}/ HTTP/1.1\r\nHost: allowed.example:${servers.http4}\r\nHost: other.example\r\n\r\n`);
    dup.socket.destroy();
    expect(dup.answer?.status).toBe(400);
    expect(servers.requests.length).toBe(before);
    // Controls: a matching Host (any case) and no Host (HTTP/1.0 style) are forwarded.
    expect((await httpGetVia(proxy.http, `http://allowed.example:${servers.http4}/`, `ALLOWED.example:${servers.http4}`))?.status).toBe(200);
    expect((await httpGetVia(proxy.http, `http://allowed.example:${servers.http4}/`, null))?.status).toBe(200);
    expect(servers.requests.at(-1)?.headers.host).toBe(`allowed.example:${servers.http4}`);
  });

  it("CONNECT with a Host header naming another host is refused", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    expect((await connectStatus(`127.0.0.1:${servers.echo4}`, "evil.example:443")).status).toBe(400);
    expect((await connectStatus(`127.0.0.1:${servers.echo4}`, `127.0.0.1:${servers.echo4}`)).status).toBe(200);
  });
});

describe("NET-11: DNS rebinding — one lookup, connect to the checked address", () => {
  it("the resolver is asked once per request and the connection goes to the address it returned", async () => {
    let call = 0;
    const calls: string[] = [];
    // First answer 127.0.0.1 (where echo4 listens); any later answer would be ::1.
    const resolve = async (host: string): Promise<string[]> => {
      calls.push(host);
      return call++ === 0 ? ["127.0.0.1"] : ["::1"];
    };
    proxy = await proxyFor({ domains: { "rebind.example": "allow" }, allow_local_binding: true }, { resolve });
    const before = servers.accepted.echo4;
    const { answer, socket } = await connectVia(proxy.http, `rebind.example:${servers.echo4}`);
    expect(answer?.status).toBe(200);
    expect(await echoThrough(socket, "r\n")).toBe("r\n");
    socket.destroy();
    expect(calls).toEqual(["rebind.example"]);
    expect(servers.accepted.echo4).toBe((before ?? 0) + 1);
    expect(proxy.decisions.at(-1)?.addresses).toEqual(["127.0.0.1"]);
  });

  it("an allowed wildcard name resolving to private ranges (v4, v6 ULA, v4-mapped, NAT64) is refused", async () => {
    const answers: Record<string, string[]> = {
      "a.allowed.dev": ["10.0.0.1"],
      "b.allowed.dev": ["fd00::1"],
      "c.allowed.dev": ["::ffff:127.0.0.1"],
      "d.allowed.dev": ["64:ff9b::7f00:1"],
      "e.allowed.dev": ["0.0.0.0"],
      "f.allowed.dev": ["169.254.169.254"],
      "evil.localhost": ["169.254.169.254"],
    };
    const dns = fakeResolver(answers);
    proxy = await proxyFor({ domains: { "*.allowed.dev": "allow", "*.localhost": "allow" } }, { resolve: dns.resolve });
    for (const name of Object.keys(answers)) {
      const { status, body } = await connectStatus(`${name}:80`);
      expect(status, name).toBe(403);
      expect(body?.reason, name).toBe("not_allowed_local");
    }
  });
});

describe("NET-12: cloud metadata endpoints", () => {
  it("169.254.169.254, fd00:ec2::254 and metadata.google.internal are refused even with '*' in full mode", async () => {
    const dns = fakeResolver({ "metadata.google.internal": ["169.254.169.254"] });
    proxy = await proxyFor({ domains: { "*": "allow" }, mode: "full" }, { resolve: dns.resolve });
    expect((await httpGetVia(proxy.http, "http://169.254.169.254/latest/meta-data/", "169.254.169.254"))?.status).toBe(403);
    expect((await httpGetVia(proxy.http, "http://[fd00:ec2::254]/latest/meta-data/", "[fd00:ec2::254]"))?.status).toBe(403);
    expect((await httpGetVia(proxy.http, "http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal"))?.status).toBe(403);
    expect((await connectStatus("169.254.169.254:80")).status).toBe(403);
    const s = await socksRequest(proxy.http, 1, socksAddr("ipv4", "169.254.169.254", 80));
    expect(s.reply).toBe(0x02);
    s.socket.destroy();
  });
});

describe("NET-13: the proxy as its own target", () => {
  it("CONNECT, plain HTTP and SOCKS5 to the proxy's own port are refused even when the address is allowed", async () => {
    const dns = fakeResolver({ localhost: ["127.0.0.1", "::1"] });
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow", "0.0.0.0": "allow", localhost: "allow" } }, { resolve: dns.resolve });
    const own = (proxy.http as { port: number }).port;
    for (const target of [`127.0.0.1:${own}`, `localhost:${own}`, `0.0.0.0:${own}`, `2130706433:${own}`]) {
      const { status, body } = await connectStatus(target);
      expect(status, target).toBe(403);
      expect(body?.reason, target).toBe("proxy_self");
    }
    const get = await httpGetVia(proxy.http, `http://127.0.0.1:${own}/`, `127.0.0.1:${own}`);
    expect(get?.status).toBe(403);
    expect(JSON.parse(get!.body).reason).toBe("proxy_self");
    const s = await socksRequest(proxy.http, 1, socksAddr("ipv4", "127.0.0.1", own));
    expect(s.reply).toBe(0x02);
    s.socket.destroy();
    // Control: the same allowed address on another port works.
    expect((await connectStatus(`127.0.0.1:${servers.echo4}`)).status).toBe(200);
  });

  it("origin-form requests (to the proxy itself as a web server) are refused", async () => {
    proxy = await proxyFor({ domains: { "*": "allow" } });
    const own = (proxy.http as { port: number }).port;
    const { answer, socket } = await rawExchange(proxy.http, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${own}\r\n\r\n`);
    socket.destroy();
    expect(answer?.status).toBe(400);
    expect(proxy.decisions.at(-1)?.rule).toContain("origin-form");
  });

  it("a CONNECT inside an allowed tunnel is just bytes to the target: the decision used the tunnel's target", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    const { answer, socket } = await connectVia(proxy.http, `127.0.0.1:${servers.echo4}`);
    expect(answer?.status).toBe(200);
    // The echo server sees the inner CONNECT as data; nothing else is opened by the proxy.
    const inner = "CONNECT evil.example:443 HTTP/1.1\r\n\r\n";
    expect(await echoThrough(socket, inner)).toBe(inner);
    socket.destroy();
    expect(proxy.decisions.length).toBe(1);
  });
});

describe("https and other schemes in absolute-form", () => {
  it("are not forwarded (CONNECT is the way for TLS)", async () => {
    proxy = await proxyFor({ domains: { "*": "allow" } });
    expect((await httpGetVia(proxy.http, "https://example.com/", "example.com"))?.status).toBe(400);
    expect((await httpGetVia(proxy.http, "ftp://example.com/", "example.com"))?.status).toBe(400);
    expect(proxy.decisions.at(-1)?.rule).toContain("use CONNECT");
  });
});
