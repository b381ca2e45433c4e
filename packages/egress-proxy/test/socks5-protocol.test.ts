// Unit tests of the SOCKS5 wire format: exact parsing of every message, "need more" on partial
// input, malformed input classified with the right reply code, and no throw on arbitrary bytes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeReply, encodeUdpDatagram, parseGreeting, parseRequest, parseUdpDatagram, REP } from "../src/socks5/protocol.js";

describe("parseGreeting", () => {
  it("parses methods and reports what it consumed", () => {
    expect(parseGreeting(Buffer.from([5, 2, 0, 2, 0xaa]))).toEqual({ kind: "ok", consumed: 4, methods: [0, 2] });
  });
  it("needs more bytes for partial input", () => {
    expect(parseGreeting(Buffer.from([5]))).toEqual({ kind: "more" });
    expect(parseGreeting(Buffer.from([5, 3, 0]))).toEqual({ kind: "more" });
  });
  it("rejects other versions and zero methods", () => {
    expect(parseGreeting(Buffer.from([4, 1, 0]))).toEqual({ kind: "bad", reply: REP.generalFailure, detail: "SOCKS version 4 is not 5" });
    expect(parseGreeting(Buffer.from([5, 0]))).toEqual({ kind: "bad", reply: REP.generalFailure, detail: "no authentication methods offered" });
  });
});

describe("parseRequest", () => {
  it("IPv4, IPv6 and domain address types", () => {
    expect(parseRequest(Buffer.from([5, 1, 0, 1, 10, 0, 0, 1, 0x01, 0xbb]))).toEqual({
      kind: "ok", consumed: 10, command: 1, address: { atyp: 1, host: "10.0.0.1", port: 443 },
    });
    const v6 = Buffer.from([5, 1, 0, 4, ...new Array(15).fill(0), 1, 0, 80]);
    expect(parseRequest(v6)).toEqual({ kind: "ok", consumed: 22, command: 1, address: { atyp: 4, host: "0:0:0:0:0:0:0:1", port: 80 } });
    const dom = Buffer.concat([Buffer.from([5, 3, 0, 3, 11]), Buffer.from("example.com"), Buffer.from([0, 53, 0xff])]);
    expect(parseRequest(dom)).toEqual({ kind: "ok", consumed: 18, command: 3, address: { atyp: 3, host: "example.com", port: 53 } });
  });
  it("needs more bytes until the whole message is there", () => {
    const full = Buffer.concat([Buffer.from([5, 1, 0, 3, 3]), Buffer.from("a.b"), Buffer.from([0, 80])]);
    for (let n = 0; n < full.length; n++) expect(parseRequest(full.subarray(0, n)).kind).toBe("more");
    expect(parseRequest(full).kind).toBe("ok");
  });
  it("classifies malformed requests with RFC 1928 reply codes", () => {
    expect(parseRequest(Buffer.from([5, 1, 1, 1, 1, 2, 3, 4, 0, 80]))).toMatchObject({ kind: "bad", reply: REP.generalFailure, detail: "reserved byte is not zero" });
    expect(parseRequest(Buffer.from([5, 1, 0, 7, 1, 2, 3, 4, 0, 80]))).toMatchObject({ kind: "bad", reply: REP.addressTypeNotSupported, detail: "address type 7 is not supported" });
    for (const name of ["", "a b", "a:b", "ex\u00e9", "a\u0000b", "[::1]", "a%2e", "user@host", "a/b"]) {
      const bytes = Buffer.from(name, "latin1");
      const r = parseRequest(Buffer.concat([Buffer.from([5, 1, 0, 3, bytes.length]), bytes, Buffer.from([0, 80])]));
      expect(r, name).toMatchObject({ kind: "bad", reply: REP.notAllowedByRuleset });
    }
  });
  it("never throws on arbitrary bytes, and never claims more than it was given", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const buf = Buffer.from(bytes);
        for (const r of [parseRequest(buf), parseGreeting(buf)]) if (r.kind === "ok") expect(r.consumed).toBeLessThanOrEqual(buf.length);
        parseUdpDatagram(buf);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("replies and UDP datagrams", () => {
  it("encodes replies with a bound address", () => {
    expect([...encodeReply(REP.notAllowedByRuleset)]).toEqual([5, 2, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect([...encodeReply(0, { address: "127.0.0.1", port: 1080 })]).toEqual([5, 0, 0, 1, 127, 0, 0, 1, 4, 56]);
    expect([...encodeReply(0, { address: "::1", port: 1 })]).toEqual([5, 0, 0, 4, ...new Array(15).fill(0), 1, 0, 1]);
    expect([...encodeReply(0, { address: "::ffff:10.0.0.1", port: 2 }).subarray(4, 20)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]);
  });
  it("round-trips a UDP datagram header", () => {
    const d = encodeUdpDatagram("192.0.2.1", 53, Buffer.from("q"));
    expect(parseUdpDatagram(d)).toEqual({ frag: 0, address: { atyp: 1, host: "192.0.2.1", port: 53 }, data: Buffer.from("q") });
    expect(parseUdpDatagram(Buffer.from([0, 1, 0, 1, 1, 2, 3, 4, 0, 1]))).toBeNull(); // RSV must be zero
  });
});
