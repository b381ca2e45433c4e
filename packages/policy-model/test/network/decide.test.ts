// decideHost / decideResolvedAddress: spec 5 decisions, the codex-reference 1.10 table, NET-07/11/12.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Origin } from "../../src/origin.js";
import type { NetworkPolicy } from "../../src/resolved-policy.js";
import type { NetworkTable } from "../../src/schema.js";
import { compileNetwork } from "../../src/network/compile.js";
import { decideHost, decideResolvedAddress, isLocalTarget } from "../../src/network/decide.js";
import { isLocalOrPrivateAddress, parseIpLiteral } from "../../src/network/address.js";
import { normalizeHost } from "../../src/network/host.js";

const FILE = "/home/u/.cordon/config.toml";
const originOf = (_keyPath: readonly string[]): Origin => ({ kind: "file", file: FILE, line: 7 });

function policy(domains: Record<string, "allow" | "deny">, extra: Omit<NetworkTable, "domains"> = {}): NetworkPolicy {
  return compileNetwork({ enabled: true, ...extra, domains }, originOf);
}
const reason = (net: NetworkPolicy, host: string): string => decideHost(net, host).reason;

describe("decideHost: order of checks", () => {
  it("network disabled denies everything, even an allowed host", () => {
    const net = compileNetwork({ enabled: false, domains: { "example.com": "allow" } }, originOf);
    const d = decideHost(net, "Example.com:443");
    expect(d).toEqual({
      host: "example.com",
      port: 443,
      decision: "deny",
      reason: "network_disabled",
      rule: "network is disabled for this profile (network.enabled = false)",
    });
    // control: the same host with the network on
    expect(decideHost(policy({ "example.com": "allow" }), "Example.com:443").decision).toBe("allow");
  });

  it("an invalid host is denied with invalid_host", () => {
    const net = policy({ "*": "allow" }, { mode: "full" });
    for (const bad of ["", "allowed.example@evil.tld", "[allowed.example]:443", "%6c%6fcalhost", "a..b", "example.123"]) {
      const d = decideHost(net, bad);
      expect(d.decision).toBe("deny");
      expect(d.reason).toBe("invalid_host");
      expect(d.rule).toBe(`${JSON.stringify(bad)} is not a valid host name, IP address or port`);
    }
    expect(decideHost(net, "example.com", 0).reason).toBe("invalid_host");
    expect(decideHost(net, "example.com", 65536).reason).toBe("invalid_host");
    expect(decideHost(net, "example.com", 443)).toMatchObject({ decision: "allow", port: 443 });
  });

  it("deny patterns win over any allow, in both modes", () => {
    for (const mode of ["limited", "full"] as const) {
      const net = policy({ "*": "allow", "**.example.com": "allow", "evil.example.com": "deny" }, { mode });
      const d = decideHost(net, "EVIL.example.com.");
      expect(d.decision).toBe("deny");
      expect(d.reason).toBe("denied");
      expect(d.rule).toBe(`denied by domain pattern "evil.example.com" = "deny" (${FILE}:7)`);
      expect(d.matched?.pattern).toBe("evil.example.com");
      expect(decideHost(net, "good.example.com").decision).toBe("allow"); // control
    }
  });

  it("a denied IPv4 address cannot be dodged by an IPv6 spelling of it (mapped, NAT64, 6to4)", () => {
    const net = policy({ "93.184.215.14": "deny" }, { mode: "full" });
    for (const s of ["93.184.215.14", "1572394766", "[::ffff:93.184.215.14]", "[::ffff:5db8:d70e]", "[64:ff9b::5db8:d70e]", "[2002:5db8:d70e::1]", "[::93.184.215.14]"]) {
      expect(decideHost(net, s)).toMatchObject({ reason: "denied", matched: { pattern: "93.184.215.14" } });
    }
    expect(reason(net, "93.184.215.15")).toBe("allowed"); // control
    expect(reason(net, "[::ffff:93.184.215.15]")).toBe("allowed"); // control
    const v6deny = policy({ "::ffff:93.184.215.14": "deny" }, { mode: "full" });
    expect(reason(v6deny, "93.184.215.14")).toBe("denied");
  });

  it("an allow of an IPv4 address stays exact: its IPv6 spellings are not opened", () => {
    const net = policy({ "93.184.215.14": "allow" });
    expect(reason(net, "93.184.215.14")).toBe("allowed");
    expect(reason(net, "[::ffff:93.184.215.14]")).toBe("not_allowed");
  });

  it("the most specific matching rule is the one reported", () => {
    const net = policy({ "**.example.com": "deny", "*.a.example.com": "deny", "x.a.example.com": "deny" });
    expect(decideHost(net, "x.a.example.com").matched?.pattern).toBe("x.a.example.com");
    expect(decideHost(net, "y.a.example.com").matched?.pattern).toBe("*.a.example.com");
    expect(decideHost(net, "example.com").matched?.pattern).toBe("**.example.com");
  });

  it("limited mode allows only listed domains", () => {
    const net = policy({ "example.com": "allow" });
    expect(decideHost(net, "example.com")).toMatchObject({
      decision: "allow",
      reason: "allowed",
      rule: `allowed by domain pattern "example.com" = "allow" (${FILE}:7)`,
    });
    expect(decideHost(net, "other.com")).toMatchObject({
      decision: "deny",
      reason: "not_allowed",
      rule: 'no allow pattern matches "other.com" (mode = "limited" allows only listed domains)',
    });
    expect(reason(policy({}), "example.com")).toBe("not_allowed"); // no allow entries: nothing
  });

  it("full mode allows everything not denied (but still never local targets)", () => {
    const net = policy({ "evil.com": "deny" }, { mode: "full" });
    expect(decideHost(net, "anything.org")).toMatchObject({
      decision: "allow",
      reason: "allowed",
      rule: 'mode = "full" allows every host that no deny pattern matches',
    });
    expect(reason(net, "93.184.215.14")).toBe("allowed");
    expect(reason(net, "evil.com")).toBe("denied");
    expect(reason(net, "localhost")).toBe("not_allowed_local");
    expect(reason(net, "10.0.0.1")).toBe("not_allowed_local");
  });
});

describe("pattern semantics", () => {
  it("exact matches only that host", () => {
    const net = policy({ "example.com": "allow" });
    expect(reason(net, "example.com")).toBe("allowed");
    expect(reason(net, "EXAMPLE.COM.")).toBe("allowed");
    expect(reason(net, "www.example.com")).toBe("not_allowed");
    expect(reason(net, "notexample.com")).toBe("not_allowed");
    expect(reason(net, "example.com.evil.tld")).toBe("not_allowed");
  });

  it("*.x matches subdomains at any depth, not the apex", () => {
    const net = policy({ "*.example.com": "allow" });
    expect(reason(net, "a.example.com")).toBe("allowed");
    expect(reason(net, "a.b.c.example.com")).toBe("allowed");
    expect(reason(net, "example.com")).toBe("not_allowed");
    expect(reason(net, "badexample.com")).toBe("not_allowed");
    expect(reason(net, "example.com.evil.tld")).toBe("not_allowed");
  });

  it("**.x matches the apex and subdomains", () => {
    const net = policy({ "**.example.com": "allow" });
    expect(reason(net, "example.com")).toBe("allowed");
    expect(reason(net, "a.b.example.com")).toBe("allowed");
    expect(reason(net, "badexample.com")).toBe("not_allowed");
  });

  it("* matches every public host and public IP literal", () => {
    const net = policy({ "*": "allow" });
    expect(reason(net, "anything.example")).toBe("allowed");
    expect(reason(net, "93.184.215.14:443")).toBe("allowed");
    expect(reason(net, "[2606:4700:4700::1111]:443")).toBe("allowed");
  });

  it("IDN hosts match their punycode pattern", () => {
    const net = policy({ "bücher.example": "allow" });
    expect(reason(net, "xn--bcher-kva.example")).toBe("allowed");
    expect(reason(net, "BÜCHER.example")).toBe("allowed");
    expect(reason(net, "bucher.example")).toBe("not_allowed");
  });

  it("an IDN homograph is a different host (Cyrillic е in еxample.com)", () => {
    const net = policy({ "example.com": "allow" });
    expect(decideHost(net, "\u0435xample.com")).toMatchObject({ host: "xn--xample-2of.com", reason: "not_allowed" });
    expect(reason(net, "example.com")).toBe("allowed"); // control
  });
});

describe("local and private targets (codex-reference 1.10 table)", () => {
  interface Row { name: string; domains: Record<string, "allow" | "deny">; extra: NetworkTable; ip: string; localhost: string }
  const rows: Row[] = [
    { name: "none", domains: {}, extra: {}, ip: "not_allowed_local", localhost: "not_allowed_local" },
    { name: "*", domains: { "*": "allow" }, extra: {}, ip: "not_allowed_local", localhost: "not_allowed_local" },
    { name: "example.com", domains: { "example.com": "allow" }, extra: {}, ip: "not_allowed_local", localhost: "not_allowed_local" },
    { name: "localhost", domains: { localhost: "allow" }, extra: {}, ip: "not_allowed_local", localhost: "allowed" },
    { name: "127.0.0.1", domains: { "127.0.0.1": "allow" }, extra: {}, ip: "allowed", localhost: "not_allowed_local" },
    { name: "* allow + 127.0.0.1 deny", domains: { "*": "allow", "127.0.0.1": "deny" }, extra: {}, ip: "denied", localhost: "not_allowed_local" },
    // allow_local_binding concerns resolved addresses only; literals still need an exact entry.
    { name: "*.localhost + allow_local_binding", domains: { "*.localhost": "allow" }, extra: { allow_local_binding: true }, ip: "not_allowed_local", localhost: "not_allowed_local" },
  ];
  it.each(rows)("allowlist $name → 127.0.0.1: $ip, localhost: $localhost", ({ domains, extra, ip, localhost }) => {
    const net = policy(domains, extra);
    expect(reason(net, "127.0.0.1")).toBe(ip);
    expect(reason(net, "localhost")).toBe(localhost);
  });

  it("the not_allowed_local rule explains what would open the target", () => {
    const d = decideHost(policy({ "*": "allow" }), "LOCALHOST.:8080");
    expect(d).toEqual({
      host: "localhost",
      port: 8080,
      decision: "deny",
      reason: "not_allowed_local",
      rule: '"localhost" is a local or private target; only an exact "localhost" = "allow" entry opens it (wildcards never do)',
    });
    const ok = decideHost(policy({ localhost: "allow" }), "localhost");
    expect(ok.rule).toBe(`allowed by exact domain pattern "localhost" = "allow" (${FILE}:7)`);
  });

  it("NET-07: every loopback spelling is caught, and an exact allow of 127.0.0.1 covers its spellings", () => {
    const spellings = ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "127.0.0.1.", "0x7f.1", "2130706433:80", "127.000.000.001"];
    const open = policy({ "*": "allow" }, { mode: "full" });
    const exact = policy({ "127.0.0.1": "allow" });
    for (const s of spellings) {
      expect(reason(open, s)).toBe("not_allowed_local");
      expect(decideHost(exact, s)).toMatchObject({ host: "127.0.0.1", reason: "allowed" });
    }
  });

  it("NET-07: name and IPv6 spellings of local targets", () => {
    const open = policy({ "*": "allow", "**.example.com": "allow" }, { mode: "full" });
    for (const s of ["localhost.", "LOCALHOST", "foo.localhost", "a.b.LOCALHOST.", "[::1]:443", "::1", "[::ffff:7f00:1]", "[::ffff:127.0.0.1]:80", "[::]", "0", "0.0.0.0", "[fe80::1%25eth0]", "ＬＯＣＡＬＨＯＳＴ", "１２７.０.０.１"]) {
      expect(reason(open, s)).toBe("not_allowed_local");
    }
    expect(reason(open, "127.0.0.1.nip.io")).toBe("allowed"); // a name: judged again on its resolved address
  });

  it("localhost and 127.0.0.1 are not interchangeable; ::1 is separate too", () => {
    const net = policy({ localhost: "allow" });
    expect(reason(net, "localhost")).toBe("allowed");
    expect(reason(net, "127.0.0.1")).toBe("not_allowed_local");
    expect(reason(net, "::1")).toBe("not_allowed_local");
    expect(reason(net, "foo.localhost")).toBe("not_allowed_local");
    const v6 = policy({ "[::1]": "allow" });
    expect(reason(v6, "[::1]:443")).toBe("allowed");
    expect(reason(v6, "0:0:0:0:0:0:0:1")).toBe("allowed");
    expect(reason(v6, "127.0.0.1")).toBe("not_allowed_local");
  });

  it("wildcards never open local names: *.localhost, **.localhost", () => {
    const net = policy({ "*.localhost": "allow", "**.localhost": "allow" });
    expect(reason(net, "foo.localhost")).toBe("not_allowed_local");
    expect(reason(net, "localhost")).toBe("not_allowed_local");
    expect(reason(policy({ "foo.localhost": "allow" }), "foo.localhost")).toBe("allowed"); // control: exact
  });

  it("NET-12: metadata and private ranges are denied even under * in full mode", () => {
    const net = policy({ "*": "allow" }, { mode: "full", allow_local_binding: true });
    for (const s of ["169.254.169.254", "[fd00:ec2::254]", "10.0.0.1", "192.168.1.1", "172.16.0.1", "100.64.0.1", "224.0.0.1", "255.255.255.255"]) {
      expect(reason(net, s)).toBe("not_allowed_local");
    }
    expect(reason(policy({ "169.254.169.254": "allow" }), "169.254.169.254")).toBe("allowed"); // exact opens it
  });
});

describe("decideResolvedAddress (connect time, NET-11)", () => {
  it("an allowed name resolving to a public address stays allowed", () => {
    const net = policy({ "*.example.com": "allow" });
    const host = decideHost(net, "api.example.com:443");
    expect(decideResolvedAddress(net, host, "93.184.215.14")).toBe(host);
  });

  it("an allowed name resolving to a local or private address is denied (DNS rebinding)", () => {
    const net = policy({ "*.example.com": "allow" });
    const host = decideHost(net, "api.example.com:443");
    for (const address of ["127.0.0.1", "169.254.169.254", "10.0.0.1", "fd00::1", "0.0.0.0", "::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe"]) {
      const d = decideResolvedAddress(net, host, address);
      expect(d.decision).toBe("deny");
      expect(d.reason).toBe("not_allowed_local");
      expect(d.port).toBe(443);
      expect(d.rule).toBe(
        `address ${parseIpLiteral(address)} (resolved from "api.example.com") is local or private; denied because allow_local_binding = false and no exact "${parseIpLiteral(address)}" = "allow" entry lists it`,
      );
    }
  });

  it("allow_local_binding = true lets resolved local addresses through", () => {
    const net = policy({ "*.example.com": "allow" }, { allow_local_binding: true });
    const d = decideResolvedAddress(net, decideHost(net, "api.example.com"), "10.0.0.1");
    expect(d.decision).toBe("allow");
    expect(d.rule).toBe('address 10.0.0.1 (resolved from "api.example.com") is local or private; allowed because allow_local_binding = true');
  });

  it("an exact allow of the address, or of the requested local name, opens it", () => {
    const net = policy({ "*.example.com": "allow", "10.0.0.1": "allow", localhost: "allow" });
    expect(decideResolvedAddress(net, decideHost(net, "db.example.com"), "10.0.0.1").decision).toBe("allow");
    expect(decideResolvedAddress(net, decideHost(net, "db.example.com"), "10.0.0.2").decision).toBe("deny");
    expect(decideResolvedAddress(net, decideHost(net, "localhost"), "127.0.0.1").decision).toBe("allow");
    expect(decideResolvedAddress(net, decideHost(net, "localhost"), "::1").decision).toBe("allow");
    expect(decideResolvedAddress(net, decideHost(net, "127.0.0.1"), "127.0.0.1").decision).toBe("deny"); // host itself denied
  });

  it("an address a deny pattern lists is denied even when public", () => {
    const net = policy({ "*": "allow", "93.184.215.14": "deny" });
    const d = decideResolvedAddress(net, decideHost(net, "example.org"), "93.184.215.14");
    expect(d).toMatchObject({ decision: "deny", reason: "denied" });
    expect(d.rule).toBe(`address 93.184.215.14 (resolved from "example.org") denied by domain pattern "93.184.215.14" = "deny" (${FILE}:7)`);
    expect(decideResolvedAddress(net, decideHost(net, "example.org"), "93.184.215.15").decision).toBe("allow"); // control
    expect(decideResolvedAddress(net, decideHost(net, "example.org"), "::ffff:93.184.215.14").reason).toBe("denied");
  });

  it("a denied host stays denied; a non-IP address fails closed", () => {
    const net = policy({ "example.com": "allow" });
    const denied = decideHost(net, "other.com");
    expect(decideResolvedAddress(net, denied, "93.184.215.14")).toBe(denied);
    const d = decideResolvedAddress(net, decideHost(net, "example.com"), "not-an-ip");
    expect(d).toMatchObject({ decision: "deny", reason: "invalid_host" });
    expect(d.rule).toBe('"not-an-ip" (resolved from "example.com") is not an IP address');
  });
});

describe("property: no local or private literal is allowed unless exactly listed", () => {
  const byte = fc.integer({ min: 0, max: 255 });
  const v4 = fc.tuple(byte, byte, byte, byte).map((b) => b.join("."));
  const v4Spelling = fc.tuple(byte, byte, byte, byte, fc.constantFrom("dotted", "decimal", "hex", "octal", "short", "mapped", "mapped-hex"))
    .map(([a, b, c, d, form]) => {
      const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
      switch (form) {
        case "decimal": return String(n);
        case "hex": return `0x${n.toString(16)}`;
        case "octal": return [a, b, c, d].map((x) => `0${x.toString(8)}`).join(".");
        case "short": return `${a}.${(b << 16) + (c << 8) + d}`;
        case "mapped": return `[::ffff:${a}.${b}.${c}.${d}]`;
        case "mapped-hex": return `[::ffff:${((a << 8) + b).toString(16)}:${((c << 8) + d).toString(16)}]`;
        default: return `${a}.${b}.${c}.${d}`;
      }
    });
  const hex16 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
  const v6 = fc.array(hex16, { minLength: 8, maxLength: 8 }).map((g) => `[${g.join(":")}]`);
  const special = fc.constantFrom("localhost", "LOCALHOST.", "x.localhost", "[::1]", "127.0.0.1", "10.1.2.3", "::", "0", "fe80::1%eth0", "169.254.169.254");
  const target = fc.oneof(v4Spelling, v6, special, v4);
  const pattern = fc.oneof(
    fc.constantFrom("*", "*.localhost", "**.localhost", "example.com", "*.com", "localhost", "127.0.0.1", "::1", "10.0.0.0"),
    v4,
  );

  it("holds for random allowlists, modes and spellings", () => {
    fc.assert(
      fc.property(target, fc.array(pattern, { maxLength: 5 }), fc.boolean(), fc.boolean(), (t, patterns, full, localBinding) => {
        const domains = Object.fromEntries(patterns.map((p) => [p, "allow" as const]));
        const net = policy(domains, { mode: full ? "full" : "limited", allow_local_binding: localBinding });
        const normalized = normalizeHost(t);
        if (normalized === null || !isLocalTarget(normalized.host)) return;
        const d = decideHost(net, t);
        const exactlyListed = net.domains.some((r) => r.decision === "allow" && r.pattern === normalized.host);
        expect(d.decision === "allow").toBe(exactlyListed);
      }),
      { numRuns: 2000 },
    );
  });

  it("isLocalTarget agrees with isLocalOrPrivateAddress on every IP literal", () => {
    fc.assert(
      fc.property(fc.oneof(v4Spelling, v6), (t) => {
        const n = normalizeHost(t);
        expect(n).not.toBeNull();
        expect(isLocalTarget(n!.host)).toBe(isLocalOrPrivateAddress(t));
      }),
      { numRuns: 1000 },
    );
  });
});
