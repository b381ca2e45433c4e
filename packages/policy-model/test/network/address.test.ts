// IP literal parsing, canonical forms and the local/private classification.
import { describe, expect, it } from "vitest";
import { isLocalOrPrivateAddress, parseIpLiteral } from "../../src/network/address.js";

describe("parseIpLiteral: every IPv4 spelling a resolver accepts", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"], // shortened: last part fills the remaining bytes
    ["127.0.1", "127.0.0.1"],
    ["2130706433", "127.0.0.1"], // one decimal number
    ["0177.0.0.1", "127.0.0.1"], // octal
    ["0x7f000001", "127.0.0.1"], // hex
    ["0X7F000001", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["0x7f.0.0.0x1", "127.0.0.1"],
    ["017700000001", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["0x", "0.0.0.0"],
    ["127.0.0.1.", "127.0.0.1"], // one trailing dot, as in URL hosts
    ["93.184.215.14", "93.184.215.14"],
    ["4294967295", "255.255.255.255"],
    ["169.254.169.254", "169.254.169.254"],
  ])("%s → %s", (input, canonical) => {
    expect(parseIpLiteral(input)).toBe(canonical);
  });

  it.each(["4294967296", "256.0.0.1", "1.2.3.4.5", "08", "0x7g", "1..2", ".1.2", "127.0.0.1..", "1.2.3.256", "1.2.65536", "", "a.b", "127.0.0.1:80", "-1"])(
    "%j is not an IPv4 literal",
    (input) => {
      expect(parseIpLiteral(input)).toBeNull();
    },
  );
});

describe("parseIpLiteral: IPv6", () => {
  it.each([
    ["::1", "::1"],
    ["[::1]", "::1"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["::", "::"],
    ["2001:DB8::0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // RFC 5952: first longest run compressed
    ["::ffff:127.0.0.1", "::ffff:127.0.0.1"],
    ["[::ffff:7f00:1]", "::ffff:127.0.0.1"], // hex spelling of the v4-mapped loopback
    ["::FFFF:7F00:0001", "::ffff:127.0.0.1"],
    ["::127.0.0.1", "::7f00:1"], // v4-compatible stays distinct from v4-mapped
    ["fe80::1%eth0", "fe80::1%eth0"],
    ["[fe80::1%25eth0]", "fe80::1%eth0"], // URL-encoded zone separator
    ["64:ff9b::8.8.8.8", "64:ff9b::808:808"],
  ])("%s → %s", (input, canonical) => {
    expect(parseIpLiteral(input)).toBe(canonical);
  });

  it.each([":::", "1:2:3:4:5:6:7:8:9", "::1::", "12345::", "::g", "fe80::1%", "fe80::1%eth 0", "[::1", "::ffff:127.1", "::ffff:0177.0.0.1", "1.2.3.4::", "[127.0.0.1]"])(
    "%j is not an IPv6 literal",
    (input) => {
      expect(parseIpLiteral(input)).toBeNull();
    },
  );
});

describe("isLocalOrPrivateAddress", () => {
  it.each([
    "127.0.0.1", "127.255.255.254", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", // loopback spellings
    "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", // RFC 1918
    "169.254.169.254", "169.254.0.1", // link-local / cloud metadata
    "100.64.0.1", "100.127.255.255", // CGNAT
    "0.0.0.0", "0", "0.1.2.3", // 0/8
    "224.0.0.1", "239.255.255.255", // multicast
    "255.255.255.255", "240.0.0.1", // broadcast, 240/4
    "192.0.0.8", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "198.19.255.255",
    "::1", "::", "[::1]", "fc00::1", "fd00::1", "fd00:ec2::254", "fe80::1", "fe80::1%eth0", "febf::1", "ff02::1",
    "2001:db8::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
    "::127.0.0.1", "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:c0a8:0101::1",
    "64:ff9b:1::1", "2001::1", "3fff::1",
  ])("%s is local or private", (ip) => {
    expect(isLocalOrPrivateAddress(ip)).toBe(true);
  });

  it.each([
    "93.184.215.14", "8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
    "169.253.255.255", "192.0.1.1", "198.17.255.255", "198.20.0.0", "223.255.255.255", "11.0.0.1",
    "2606:4700:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8", "::ffff:808:808", "64:ff9b::8.8.8.8", "2002:808:808::1",
    "fbff::1", "2600::1",
  ])("%s is public", (ip) => {
    expect(isLocalOrPrivateAddress(ip)).toBe(false);
  });

  it("fails closed for anything that is not an IP literal", () => {
    expect(isLocalOrPrivateAddress("example.com")).toBe(true);
    expect(isLocalOrPrivateAddress("")).toBe(true);
  });
});
