// IP literals: parse every spelling a client or resolver accepts, canonicalize it, and classify
// addresses that must never be reached through a wildcard (loopback, private, link-local, ...).
import ipaddr from "ipaddr.js";

/** A parsed IP literal: 4 or 16 bytes, plus an IPv6 zone (interface) when one was given. */
export interface ParsedIp {
  readonly family: 4 | 6;
  readonly bytes: readonly number[];
  readonly zone: string | null;
}

/**
 * Parses an IPv4 address the way WHATWG URL hosts and `inet_aton` do: 1 to 4 parts, each decimal,
 * octal (leading 0) or hex (0x); the last part fills the remaining bytes; one trailing dot allowed.
 * So `127.1`, `2130706433`, `0177.0.0.1`, `0x7f000001` and `0x7f.1` are all 127.0.0.1.
 */
export function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const value = parseIpv4Number(part);
    if (value === null) return null;
    numbers.push(value);
  }
  const last = numbers.pop() as number;
  if (numbers.some((n) => n > 255)) return null;
  const remainingBytes = 4 - numbers.length;
  if (last >= 256 ** remainingBytes) return null;
  const bytes = [...numbers];
  for (let i = remainingBytes - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes;
}

/** One part of a numeric IPv4 host; null when it is not a number in its radix. */
function parseIpv4Number(part: string): number | null {
  if (part === "") return null;
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    radix = 16;
  } else if (part.length > 1 && part.startsWith("0")) {
    digits = part.slice(1);
    radix = 8;
  }
  if (digits === "") return 0; // "0x" and "0" alone mean zero (WHATWG URL)
  const valid = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return null;
  // Long digit strings overflow to a huge number or Infinity; both fail the range check later.
  return parseInt(digits, radix);
}

/** Strict dotted-decimal IPv4 (what inet_pton accepts inside an IPv6 address). */
function parseStrictDottedQuad(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

/** Parses an IPv6 address without brackets or zone into 16 bytes (inet_pton rules). */
export function parseIpv6(text: string): number[] | null {
  if (text === "" || !/^[0-9a-f:.]+$/i.test(text)) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === "") return [];
    const groups = s.split(":");
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] as string;
      if (i === groups.length - 1 && g.includes(".")) {
        const v4 = parseStrictDottedQuad(g);
        if (!v4) return null;
        out.push(...v4);
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
      const n = parseInt(g, 16);
      out.push(n >> 8, n & 0xff);
    }
    return out;
  };
  const head = parseGroups(halves[0] as string);
  if (!head) return null;
  if (halves.length === 1) return head.length === 16 ? head : null;
  const tail = parseGroups(halves[1] as string);
  if (!tail) return null;
  // An embedded dotted quad is only valid at the very end.
  if ((halves[0] as string).includes(".")) return null;
  const missing = 16 - head.length - tail.length;
  if (missing < 2) return null; // "::" stands for at least one zero group
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/**
 * Parses any IP literal spelling: IPv4 in every numeric form, IPv6 with or without brackets,
 * with a zone (`%eth0`, or URL-encoded `%25eth0`). Returns null when `host` is not an IP literal.
 */
export function parseIp(host: string): ParsedIp | null {
  let text = host.trim().toLowerCase();
  if (text.startsWith("[") && text.endsWith("]")) {
    text = text.slice(1, -1);
    return parseIpv6WithZone(text);
  }
  if (text.includes(":")) return parseIpv6WithZone(text);
  const v4 = parseIpv4(text);
  return v4 ? { family: 4, bytes: v4, zone: null } : null;
}

function parseIpv6WithZone(text: string): ParsedIp | null {
  let address = text;
  let zone: string | null = null;
  const percent = text.indexOf("%");
  if (percent >= 0) {
    address = text.slice(0, percent);
    zone = text.slice(percent + 1);
    if (zone.startsWith("25") && zone.length > 2) zone = zone.slice(2); // "%25eth0" is URL-encoded "%eth0"
    if (!/^[a-z0-9_.~-]+$/.test(zone)) return null;
  }
  const bytes = parseIpv6(address);
  return bytes ? { family: 6, bytes, zone } : null;
}

/** Canonical text: dotted quad; RFC 5952 IPv6 (v4-mapped as `::ffff:a.b.c.d`), with `%zone`. */
export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) return ip.bytes.join(".");
  const b = ip.bytes;
  const zone = ip.zone === null ? "" : `%${ip.zone}`;
  if (isV4Mapped(b)) return `::ffff:${b.slice(12).join(".")}${zone}`;
  return `${new ipaddr.IPv6([...b]).toRFC5952String()}${zone}`;
}

/**
 * Canonical form of an IP literal in any spelling a client or resolver could turn into an
 * address (`127.1`, `2130706433`, `0177.0.0.1`, `0x7f000001`, `[::ffff:7f00:1]`, `fe80::1%25eth0`),
 * or null when `host` is not an IP literal.
 */
export function parseIpLiteral(host: string): string | null {
  const ip = parseIp(host);
  return ip ? formatIp(ip) : null;
}

// ---- classification ---------------------------------------------------------------------------

type Cidr = readonly [bytes: readonly number[], prefixLength: number];

function cidr(text: string): Cidr {
  const [address, length] = text.split("/") as [string, string];
  const ip = parseIp(address);
  if (!ip) throw new Error(`bad built-in CIDR ${text}`);
  return [ip.bytes, Number(length)];
}

function inCidr(bytes: readonly number[], [base, prefixLength]: Cidr): boolean {
  if (bytes.length !== base.length) return false;
  for (let bit = 0; bit < prefixLength; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[i] as number) & mask) !== ((base[i] as number) & mask)) return false;
  }
  return true;
}

/** IPv4 ranges that are not public unicast (RFC 6890 special-purpose, plus multicast/reserved). */
const NON_PUBLIC_V4: readonly Cidr[] = [
  "0.0.0.0/8", // "this network", incl. the unspecified 0.0.0.0
  "10.0.0.0/8", // RFC 1918
  "100.64.0.0/10", // CGNAT
  "127.0.0.0/8", // loopback
  "169.254.0.0/16", // link-local, incl. cloud metadata 169.254.169.254
  "172.16.0.0/12", // RFC 1918
  "192.0.0.0/24", // IETF protocol assignments
  "192.0.2.0/24", // TEST-NET-1
  "192.88.99.0/24", // deprecated 6to4 relay anycast
  "192.168.0.0/16", // RFC 1918
  "198.18.0.0/15", // benchmarking
  "198.51.100.0/24", // TEST-NET-2
  "203.0.113.0/24", // TEST-NET-3
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, incl. broadcast 255.255.255.255
].map(cidr);

/** IPv6 ranges that are not public unicast (embedded-IPv4 forms are handled separately). */
const NON_PUBLIC_V6: readonly Cidr[] = [
  "::/128", // unspecified
  "::1/128", // loopback
  "64:ff9b:1::/48", // local-use NAT64 (RFC 8215)
  "100::/64", // discard-only
  "2001::/23", // IETF protocol assignments (Teredo, benchmarking, ORCHID)
  "2001:db8::/32", // documentation
  "3fff::/20", // documentation (RFC 9637)
  "fc00::/7", // unique local (incl. fd00:ec2::254, the AWS metadata address)
  "fe80::/10", // link-local
  "fec0::/10", // deprecated site-local
  "ff00::/8", // multicast
].map(cidr);

/** Prefixes whose last 32 bits are an IPv4 address that the packet effectively reaches. */
const EMBEDS_V4_IN_LAST_32: readonly Cidr[] = [
  "::ffff:0:0/96", // v4-mapped
  "::/96", // v4-compatible (deprecated)
  "::ffff:0:0:0/96", // v4-translated (SIIT)
  "64:ff9b::/96", // NAT64 well-known prefix
].map(cidr);

const SIX_TO_FOUR = cidr("2002::/16");

function isV4Mapped(bytes: readonly number[]): boolean {
  return bytes.length === 16 && inCidr(bytes, EMBEDS_V4_IN_LAST_32[0] as Cidr);
}

/** True when an IPv4 address (4 bytes) is not public unicast. */
function isNonPublicV4(bytes: readonly number[]): boolean {
  return NON_PUBLIC_V4.some((range) => inCidr(bytes, range));
}

/** True when parsed bytes are not a public unicast destination. */
export function isNonPublicIp(ip: ParsedIp): boolean {
  const b = ip.bytes;
  if (ip.family === 4) return isNonPublicV4(b);
  if (NON_PUBLIC_V6.some((range) => inCidr(b, range))) return true;
  // Forms that carry an IPv4 address are judged by that address (::ffff:127.0.0.1 is loopback).
  const v4 = embeddedIpv4(ip);
  return v4 !== null && isNonPublicV4(v4);
}

/**
 * The IPv4 address an IPv6 address carries and effectively reaches (v4-mapped, v4-compatible,
 * SIIT, NAT64 64:ff9b::/96, 6to4), or null.
 */
export function embeddedIpv4(ip: ParsedIp): number[] | null {
  if (ip.family === 4) return null;
  const b = ip.bytes;
  if (EMBEDS_V4_IN_LAST_32.some((range) => inCidr(b, range))) return b.slice(12);
  if (inCidr(b, SIX_TO_FOUR)) return b.slice(2, 6);
  return null;
}

/**
 * A key shared by every literal that reaches the same IPv4 destination: `1.2.3.4`,
 * `::ffff:1.2.3.4`, `64:ff9b::102:304` all give `1.2.3.4`; other addresses give their canonical
 * form. Used so a deny entry cannot be dodged by re-spelling the address in an IPv6 form.
 * Null when `text` is not an IP literal.
 */
export function destinationKey(text: string): string | null {
  const ip = parseIp(text);
  if (!ip) return null;
  const v4 = embeddedIpv4(ip);
  return v4 ? v4.join(".") : formatIp(ip);
}

/**
 * True for addresses that wildcards must never open: loopback, RFC 1918, link-local (incl.
 * 169.254.169.254), CGNAT, unspecified, multicast, broadcast, 0/8, 192.0.0/24, documentation and
 * benchmarking ranges, 240/4; IPv6 ::1, ::, ULA, link-local, multicast, documentation; and
 * v4-mapped/compatible/NAT64/6to4 forms judged by their embedded IPv4 address.
 * Accepts any literal spelling `parseIpLiteral` accepts. Fails closed: a string that is not an IP
 * literal returns true.
 */
export function isLocalOrPrivateAddress(ip: string): boolean {
  const parsed = parseIp(ip);
  return parsed === null ? true : isNonPublicIp(parsed);
}
