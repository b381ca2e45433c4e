// Unit tests of strict target parsing: CONNECT authority, absolute-form URLs, Host matching, and
// the upstream connector that refuses to look anything up.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { connectToAddresses } from "../src/connect.js";
import { filterHeaders } from "../src/http-headers.js";
import { SocketRegistry } from "../src/socket-registry.js";
import { hostHeaderMatches, parseAbsoluteHttpUrl, parseAuthority, parsePort } from "../src/target.js";
import { parseUpstreamProxy } from "../src/upstream.js";

describe("parseAuthority", () => {
  it.each([
    ["example.com:443", "example.com", 443],
    ["[::1]:8080", "[::1]", 8080],
    ["[fe80::1%25eth0]:80", "[fe80::1%25eth0]", 80],
    ["127.0.0.1:1", "127.0.0.1", 1],
    ["a:65535", "a", 65535],
  ])("accepts %s", (text, host, port) => {
    expect(parseAuthority(text, null)).toEqual({ ok: true, target: { host, port } });
  });

  it.each([
    ["", "empty target"],
    ["example.com", "missing port"],
    ["example.com:", 'invalid port "" (must be 1-65535)'],
    ["example.com:0", 'invalid port "0" (must be 1-65535)'],
    ["example.com:65536", 'invalid port "65536" (must be 1-65535)'],
    ["example.com:080000", 'invalid port "080000" (must be 1-65535)'],
    ["example.com:-1", 'invalid port "-1" (must be 1-65535)'],
    ["example.com:0x50", 'invalid port "0x50" (must be 1-65535)'],
    ["user@example.com:443", "userinfo in the target authority is not allowed"],
    ["example.com/x:443", "invalid characters in the target authority"],
    ["exa mple.com:443", "invalid characters in the target authority"],
    ["example.com\\:443", "invalid characters in the target authority"],
    ["::1:443", "an IPv6 address must be written in brackets"],
    ["[::1]x:443", "malformed bracketed host"],
    ["[::1", "malformed bracketed host"],
    ["[]:443", "empty host"],
    [":443", "empty host"],
    ["%65xample.com:443", "percent-encoded host names are not allowed"],
  ])("rejects %j: %s", (text, detail) => {
    expect(parseAuthority(text, null)).toEqual({ ok: false, detail });
  });

  it("uses the default port only when one is given", () => {
    expect(parseAuthority("example.com", 80)).toEqual({ ok: true, target: { host: "example.com", port: 80 } });
  });

  it("never throws, and any accepted port is 1-65535", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = parseAuthority(s, null);
        if (r.ok) expect(r.target.port >= 1 && r.target.port <= 65535).toBe(true);
      }),
    );
    expect(parsePort("65535")).toBe(65535);
    expect(parsePort("1")).toBe(1);
    expect(parsePort("")).toBeNull();
  });
});

describe("parseAbsoluteHttpUrl", () => {
  it("splits authority and origin-form path", () => {
    expect(parseAbsoluteHttpUrl("http://Example.com:8080/a/b?c=d#frag")).toEqual({
      ok: true,
      target: { host: "Example.com", port: 8080, authority: "Example.com:8080", path: "/a/b?c=d" },
    });
    expect(parseAbsoluteHttpUrl("HTTP://example.com")).toMatchObject({ ok: true, target: { port: 80, path: "/" } });
    expect(parseAbsoluteHttpUrl("http://example.com?x")).toMatchObject({ ok: true, target: { path: "/?x" } });
    expect(parseAbsoluteHttpUrl("http://[::1]/")).toMatchObject({ ok: true, target: { host: "[::1]", port: 80 } });
  });

  it.each([
    ["/", "origin-form request: this is a proxy; send an absolute URL (http://host/path) or CONNECT"],
    ["*", "origin-form request: this is a proxy; send an absolute URL (http://host/path) or CONNECT"],
    ["https://example.com/", 'scheme "https" is not forwarded; use CONNECT for https and other protocols'],
    ["ws://example.com/", 'scheme "ws" is not forwarded; use CONNECT for https and other protocols'],
    ["http:/example.com/", "malformed request target (expected http://host/path)"],
    ["example.com:80", "malformed request target (expected http://host/path)"],
    ["http://u:p@example.com/", "userinfo in the target authority is not allowed"],
    ["http:///path", "empty target"],
    ["http://example.com:0/", 'invalid port "0" (must be 1-65535)'],
  ])("rejects %j", (url, detail) => {
    expect(parseAbsoluteHttpUrl(url)).toEqual({ ok: false, detail });
  });
});

describe("hostHeaderMatches", () => {
  const t = { host: "example.com", port: 80 };
  it("compares normalized host and port (default port for plain HTTP)", () => {
    expect(hostHeaderMatches("EXAMPLE.com.", t, 80)).toBe(true);
    expect(hostHeaderMatches("example.com:80", t, 80)).toBe(true);
    expect(hostHeaderMatches("example.com:81", t, 80)).toBe(false);
    expect(hostHeaderMatches("other.com", t, 80)).toBe(false);
    expect(hostHeaderMatches("example.com", { host: "example.com", port: 8080 }, 80)).toBe(false);
    expect(hostHeaderMatches("", t, 80)).toBe(false);
    expect(hostHeaderMatches("2130706433", { host: "127.0.0.1", port: 80 }, 80)).toBe(true);
  });
  it("for CONNECT, a port-less Host must name the same host", () => {
    expect(hostHeaderMatches("example.com", { host: "example.com", port: 443 }, null)).toBe(true);
    expect(hostHeaderMatches("example.com:444", { host: "example.com", port: 443 }, null)).toBe(false);
  });
});

describe("filterHeaders", () => {
  it("drops hop-by-hop, Connection-listed and Proxy-* headers, keeps order and duplicates", () => {
    const raw = ["Host", "h", "Connection", "keep-alive, X-Secret", "X-Secret", "1", "Proxy-Authorization", "Basic x", "proxy-foo", "y",
      "TE", "trailers", "Upgrade", "h2c", "Keep-Alive", "5", "Accept", "a", "Accept", "b", "Trailer", "x"];
    expect(filterHeaders(raw, new Set(["host"]))).toEqual(["Accept", "a", "Accept", "b"]);
  });
});

describe("connectToAddresses", () => {
  it("refuses anything that is not an IP literal (no DNS lookup can happen)", async () => {
    const registry = new SocketRegistry();
    await expect(connectToAddresses(["localhost"], 80, 1000, registry)).rejects.toMatchObject({ code: "EINVAL", message: "localhost is not an IP address" });
    expect(registry.size).toBe(0);
  });
});

describe("parseUpstreamProxy", () => {
  it("decodes credentials into a Basic Proxy-Authorization value", () => {
    expect(parseUpstreamProxy("http://a%3Ab:c%40d@[::1]:3128/")).toEqual({
      host: "::1",
      port: 3128,
      authorization: `Basic ${Buffer.from("a:b:c@d").toString("base64")}`,
    });
    expect(parseUpstreamProxy("http://proxy.corp:8080")).toEqual({ host: "proxy.corp", port: 8080, authorization: undefined });
  });
  it("never echoes a password in its error", () => {
    expect(() => parseUpstreamProxy("http//user:hunter2@x")).toThrow('upstreamProxy: "http//***@x" is not a URL');
    expect(() => parseUpstreamProxy("http://user:hunter2@ x:1")).toThrow('upstreamProxy: "http://***@ x:1" is not a URL');
  });
});
