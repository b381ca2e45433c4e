// SOCKS5 through the proxy: CONNECT with IPv4, IPv6 and domain address types (remote DNS on the
// host side, after the policy), RFC 1928 reply codes for refusals, BIND and UDP ASSOCIATE refused
// unless enabled, SOCKS off entirely when enable_socks5 = false, and the UDP relay when enabled.
import dgram from "node:dgram";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EgressProxy } from "../src/index.js";
import { dial, echoThrough, fakeResolver, proxyFor, readUntil, socksAddr, socksRequest, startServers, type TestServers } from "./helpers.js";

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

const CONNECT = 1;
const BIND = 2;
const UDP = 3;

describe("SOCKS5 CONNECT", () => {
  it("ATYP IPv4 to an exactly allowed literal tunnels; another literal gets 0x02", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    const ok = await socksRequest(proxy.http, CONNECT, socksAddr("ipv4", "127.0.0.1", servers.echo4));
    expect(ok.reply).toBe(0x00);
    expect(await echoThrough(ok.socket, "socks4\n")).toBe("socks4\n");
    ok.socket.destroy();
    const before = servers.accepted.echo4;
    const no = await socksRequest(proxy.http, CONNECT, socksAddr("ipv4", "127.0.0.2", servers.echo4));
    expect(no.reply).toBe(0x02);
    const closed = await readUntil(no.socket, () => false, 3000);
    expect(closed.ended).toBe(true);
    expect(servers.accepted.echo4).toBe(before);
    expect(proxy.decisions.at(-1)).toMatchObject({ protocol: "socks5", host: "127.0.0.2", decision: "deny", reason: "not_allowed_local" });
  });

  it("ATYP IPv6 to ::1 when allowed", async () => {
    proxy = await proxyFor({ domains: { "::1": "allow" } });
    const ok = await socksRequest(proxy.http, CONNECT, socksAddr("ipv6", "::1", servers.echo6));
    expect(ok.reply).toBe(0x00);
    expect(await echoThrough(ok.socket, "six\n")).toBe("six\n");
    ok.socket.destroy();
    const no = await socksRequest(proxy.http, CONNECT, socksAddr("ipv6", "::ffff:7f00:1", servers.echo4));
    expect(no.reply).toBe(0x02);
    no.socket.destroy();
  });

  it("ATYP domain: the proxy resolves (remote DNS) only after the policy allowed the name", async () => {
    const dns = fakeResolver({ "api.example.com": ["127.0.0.1"], "evil.example.com": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "*.example.com": "allow", "evil.example.com": "deny" }, allow_local_binding: true }, { resolve: dns.resolve });
    const ok = await socksRequest(proxy.http, CONNECT, socksAddr("domain", "api.example.com", servers.echo4));
    expect(ok.reply).toBe(0x00);
    expect(await echoThrough(ok.socket, "dom\n")).toBe("dom\n");
    ok.socket.destroy();
    const no = await socksRequest(proxy.http, CONNECT, socksAddr("domain", "evil.example.com", servers.echo4));
    expect(no.reply).toBe(0x02);
    no.socket.destroy();
    expect(dns.calls).toEqual(["api.example.com"]);
  });

  it("a domain resolving to a private address is refused (allow_local_binding = false)", async () => {
    const dns = fakeResolver({ "api.example.com": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "*.example.com": "allow" } }, { resolve: dns.resolve });
    const before = servers.accepted.echo4;
    const no = await socksRequest(proxy.http, CONNECT, socksAddr("domain", "api.example.com", servers.echo4));
    expect(no.reply).toBe(0x02);
    no.socket.destroy();
    expect(servers.accepted.echo4).toBe(before);
  });

  it("unresolvable name → 0x04, refused port → 0x05", async () => {
    const dns = fakeResolver({});
    proxy = await proxyFor({ domains: { "*.example.com": "allow", "127.0.0.1": "allow" } }, { resolve: dns.resolve });
    const nx = await socksRequest(proxy.http, CONNECT, socksAddr("domain", "nx.example.com", 80));
    expect(nx.reply).toBe(0x04);
    nx.socket.destroy();
    // A port nothing listens on: open and close a server to get a free one.
    const { default: net } = await import("node:net");
    const tmp = net.createServer();
    const freePort = await new Promise<number>((r) => tmp.listen(0, "127.0.0.1", () => r((tmp.address() as { port: number }).port)));
    await new Promise((r) => tmp.close(r));
    const refused = await socksRequest(proxy.http, CONNECT, socksAddr("ipv4", "127.0.0.1", freePort));
    expect(refused.reply).toBe(0x05);
    refused.socket.destroy();
  });

  it("bytes sent right after the request (before the reply) reach the target", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    const s = await dial(proxy.http);
    s.write(Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0]), socksAddr("ipv4", "127.0.0.1", servers.echo4), Buffer.from("early\n")]));
    const { data } = await readUntil(s, (b) => b.length >= 2 + 10 + 6);
    expect(data.subarray(0, 2)).toEqual(Buffer.from([5, 0]));
    expect(data[3]).toBe(0x00); // data[2..] is the reply: VER, REP, …
    expect(data.subarray(12).toString()).toBe("early\n");
    s.destroy();
  });

  it("a dedicated socksListen endpoint serves SOCKS5 only", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } }, { socksListen: { host: "127.0.0.1", port: 0 } });
    expect(proxy.socks).toBeDefined();
    expect(proxy.socks).not.toEqual(proxy.http);
    const ok = await socksRequest(proxy.socks!, CONNECT, socksAddr("ipv4", "127.0.0.1", servers.echo4));
    expect(ok.reply).toBe(0);
    ok.socket.destroy();
    const s = await dial(proxy.socks!);
    s.write(`CONNECT 127.0.0.1:${servers.echo4} HTTP/1.1\r\n\r\n`);
    const { data, ended } = await readUntil(s, () => false, 3000);
    expect(ended).toBe(true);
    expect(data.toString("latin1")).not.toContain("200");
    s.destroy();
  });
});

describe("SOCKS5 refusals", () => {
  it("no acceptable auth method → 0xFF", async () => {
    proxy = await proxyFor({ domains: { "*": "allow" } });
    const s = await dial(proxy.http);
    s.write(Buffer.from([5, 1, 2])); // only username/password offered
    const { data, ended } = await readUntil(s, () => false, 3000);
    expect([...data]).toEqual([5, 0xff]);
    expect(ended).toBe(true);
  });

  it("SOCKS4 is never served: request rejected (0x5B)", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    const before = servers.accepted.echo4;
    const s = await dial(proxy.http);
    const port = Buffer.alloc(2);
    port.writeUInt16BE(servers.echo4);
    s.write(Buffer.concat([Buffer.from([4, 1]), port, Buffer.from([127, 0, 0, 1, 0])]));
    const { data, ended } = await readUntil(s, () => false, 3000);
    expect([...data]).toEqual([0, 0x5b, 0, 0, 0, 0, 0, 0]);
    expect(ended).toBe(true);
    expect(servers.accepted.echo4).toBe(before);
  });

  it("BIND → 0x07 command not supported", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    const r = await socksRequest(proxy.http, BIND, socksAddr("ipv4", "127.0.0.1", servers.echo4));
    expect(r.reply).toBe(0x07);
    r.socket.destroy();
    expect(proxy.decisions.at(-1)).toMatchObject({ reason: "command_not_supported", decision: "deny" });
  });

  it("UDP ASSOCIATE → 0x07 when enable_socks5_udp = false (the default)", async () => {
    proxy = await proxyFor({ domains: { "*": "allow" } });
    const r = await socksRequest(proxy.http, UDP, socksAddr("ipv4", "0.0.0.0", 0));
    expect(r.reply).toBe(0x07);
    r.socket.destroy();
    expect(proxy.decisions.at(-1)).toMatchObject({ protocol: "socks5-udp", reason: "command_not_supported" });
    expect(proxy.decisions.at(-1)?.rule).toContain("enable_socks5_udp = false");
  });

  it("unknown address type → 0x08", async () => {
    proxy = await proxyFor({ domains: { "*": "allow" } });
    const r = await socksRequest(proxy.http, CONNECT, Buffer.from([9, 1, 2, 3, 4, 0, 80]));
    expect(r.reply).toBe(0x08);
    r.socket.destroy();
  });

  it("SOCKS5 is off entirely when enable_socks5 = false; HTTP still works on the same port", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" }, enable_socks5: false }, { socksListen: { host: "127.0.0.1", port: 0 } });
    expect(proxy.socks).toBeUndefined();
    const before = servers.accepted.echo4;
    const s = await dial(proxy.http);
    s.write(Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0]), socksAddr("ipv4", "127.0.0.1", servers.echo4)]));
    const { data, ended } = await readUntil(s, () => false, 3000);
    expect([...data]).toEqual([5, 0xff]);
    expect(ended).toBe(true);
    expect(servers.accepted.echo4).toBe(before);
    expect(proxy.decisions.at(-1)?.rule).toContain("enable_socks5 = false");
    const { connectVia } = await import("./helpers.js");
    const http = await connectVia(proxy.http, `127.0.0.1:${servers.echo4}`);
    expect(http.answer?.status).toBe(200);
    http.socket.destroy();
  });
});

describe("SOCKS5 UDP ASSOCIATE (enable_socks5_udp = true)", () => {
  it("relays datagrams to an allowed target and back; a denied target gets nothing", async () => {
    const target = dgram.createSocket("udp4");
    const got: string[] = [];
    target.on("message", (msg, rinfo) => {
      got.push(msg.toString());
      target.send(Buffer.from(`re:${msg}`), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => target.bind(0, "127.0.0.1", () => r()));
    const targetPort = target.address().port;
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" }, enable_socks5_udp: true });
    const r = await socksRequest(proxy.http, UDP, socksAddr("ipv4", "0.0.0.0", 0));
    expect(r.reply).toBe(0x00);
    const relayPort = r.replyBytes.readUInt16BE(8);
    const client = dgram.createSocket("udp4");
    await new Promise<void>((res) => client.bind(0, "127.0.0.1", () => res()));
    const replies: Buffer[] = [];
    client.on("message", (m) => replies.push(m));
    const header = (host: string, port: number): Buffer => Buffer.concat([Buffer.from([0, 0, 0]), socksAddr("ipv4", host, port)]);
    client.send(Buffer.concat([header("127.0.0.2", targetPort), Buffer.from("denied")]), relayPort, "127.0.0.1");
    client.send(Buffer.concat([header("127.0.0.1", targetPort), Buffer.from("hello")]), relayPort, "127.0.0.1");
    const { eventually } = await import("./helpers.js");
    await eventually(() => replies.length > 0, 5000, "UDP reply");
    expect(got).toEqual(["hello"]);
    const reply = replies[0] as Buffer;
    expect(reply.subarray(10).toString()).toBe("re:hello");
    expect(reply.readUInt16BE(8)).toBe(targetPort);
    expect(proxy.decisions.filter((d) => d.protocol === "socks5-udp").map((d) => `${d.host} ${d.decision}`)).toEqual([
      "127.0.0.2 deny",
      "127.0.0.1 allow",
    ]);
    r.socket.destroy();
    client.close();
    target.close();
  });

  it("is refused over a unix-socket listener (datagrams could not be tied to the client)", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "cordon-proxy-"));
    proxy = await proxyFor({ domains: { "*": "allow" }, enable_socks5_udp: true }, { listen: { unixSocket: join(dir, "proxy.sock") } });
    const r = await socksRequest(proxy.http, UDP, socksAddr("ipv4", "0.0.0.0", 0));
    expect(r.reply).toBe(0x07);
    r.socket.destroy();
    expect(proxy.decisions.at(-1)?.rule).toContain("unix socket");
  });
});
