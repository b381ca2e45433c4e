// Host and domain-pattern normalization (spec 5; threat NET-07 spellings).
import { describe, expect, it } from "vitest";
import { isValidHostname, normalizeDomainPattern, normalizeHost } from "../../src/network/host.js";

describe("normalizeHost", () => {
  it.each([
    ["example.com", "example.com", null],
    ["  Example.COM  ", "example.com", null],
    ["example.com.", "example.com", null],
    ["EXAMPLE.com.:443", "example.com", 443],
    ["localhost.", "localhost", null],
    ["LOCALHOST", "localhost", null],
    ["foo.localhost", "foo.localhost", null],
    ["[::1]:443", "::1", 443],
    ["[::1]", "::1", null],
    ["::1", "::1", null], // unbracketed IPv6: several colons, no port
    ["[::ffff:7f00:1]", "::ffff:127.0.0.1", null],
    ["[fe80::1%25eth0]:80", "fe80::1%eth0", 80],
    ["2130706433:80", "127.0.0.1", 80],
    ["0x7f000001", "127.0.0.1", null],
    ["0177.0.0.1", "127.0.0.1", null],
    ["127.1", "127.0.0.1", null],
    ["0", "0.0.0.0", null],
    ["Bücher.example", "xn--bcher-kva.example", null],
    ["MÜNCHEN.de.", "xn--mnchen-3ya.de", null],
    ["１２７.０.０.１", "127.0.0.1", null], // fullwidth digits map to an IP literal
    ["example。com", "example.com", null], // ideographic full stop is a dot
    ["example.com。", "example.com", null], // ... also as the one trailing dot
    ["ＬＯＣＡＬＨＯＳＴ", "localhost", null],
    ["_dmarc.example.com", "_dmarc.example.com", null],
    ["xn--bcher-kva.example", "xn--bcher-kva.example", null],
    ["127.0.0.1.nip.io", "127.0.0.1.nip.io", null], // a name; its address is checked at connect time
    ["a.b.c.d.e.f.example.com:65535", "a.b.c.d.e.f.example.com", 65535],
  ])("%j → %s port %s", (input, host, port) => {
    expect(normalizeHost(input)).toEqual({ host, port });
  });

  it.each([
    "", "   ", ".", "..", "example..com", ".example.com", "example.com..",
    "allowed.example@evil.tld", "user:pw@example.com", "%6c%6fcalhost", "exa%2emple.com",
    "[allowed.example]:443", "[127.0.0.1]", "[::1]443", "[::1", "::1]",
    "example.com:0", "example.com:65536", "example.com:", "example.com:http", "example.com:-1",
    "ex ample.com", "example.com/path", "http://example.com", "*.example.com", "exa*mple.com", "ex?ample.com",
    "-example.com", "example-.com", "a".repeat(64) + ".com", `${"a.".repeat(127)}ab`,
    "1.2.3.4.5", "example.123", "256.0.0.1", "0x7g.example.0x1", "xn--zz.com", "e\u0000xample.com",
    "exa\u200Bmple.com\u0000", "example.com。.", "example.com.。",
  ])("%j is not a host", (input) => {
    expect(normalizeHost(input)).toBeNull();
  });

  it("accepts names up to 253 characters and labels up to 63", () => {
    const label63 = "a".repeat(63);
    const name253 = [label63, label63, label63, "a".repeat(61)].join(".");
    expect(name253.length).toBe(253);
    expect(normalizeHost(name253)?.host).toBe(name253);
    expect(normalizeHost(`${name253}a`)).toBeNull();
  });
});

describe("isValidHostname", () => {
  it("rejects a name whose last label is a number unless it is an IPv4 address", () => {
    expect(isValidHostname("example.123")).toBe(false);
    expect(isValidHostname("example.0x1f")).toBe(false);
    expect(isValidHostname("123.example")).toBe(true);
  });
});

describe("normalizeDomainPattern", () => {
  it.each([
    ["Example.COM", "example.com"],
    ["example.com.", "example.com"],
    [" *.Example.com. ", "*.example.com"],
    ["**.EXAMPLE.com", "**.example.com"],
    ["*", "*"],
    ["[::1]", "::1"],
    ["::FFFF:7F00:1", "::ffff:127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["LOCALHOST.", "localhost"],
    ["*.Bücher.example", "*.xn--bcher-kva.example"],
    // Not valid patterns: returned lowercased for compileNetwork to reject, never thrown here.
    ["Example.com:443", "example.com:443"],
    ["Region*.Example.com", "region*.example.com"],
    ["", ""],
    ["*.", "*."], // must not collapse into the global "*"
    ["**.", "**."],
  ])("%j → %j", (input, normalized) => {
    expect(normalizeDomainPattern(input)).toBe(normalized);
  });

  it("gives two spellings of one pattern the same key (for layer merging)", () => {
    expect(normalizeDomainPattern("*.EXAMPLE.com.")).toBe(normalizeDomainPattern("*.example.com"));
    expect(normalizeDomainPattern("0x7f000001")).toBe(normalizeDomainPattern("127.0.0.1"));
  });
});
