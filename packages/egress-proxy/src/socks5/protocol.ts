// SOCKS5 wire format (RFC 1928), pure functions on buffers: the greeting, the request, the reply
// and the UDP datagram header. Parsers say "need more bytes", "malformed" or return the value;
// they never read past what the message declares, so extra bytes stay with the caller.
import net from "node:net";

export const SOCKS_VERSION = 0x05;
export const AUTH_NONE = 0x00;
export const AUTH_NO_ACCEPTABLE = 0xff;

export const CMD_CONNECT = 0x01;
export const CMD_BIND = 0x02;
export const CMD_UDP_ASSOCIATE = 0x03;

export const ATYP_IPV4 = 0x01;
export const ATYP_DOMAIN = 0x03;
export const ATYP_IPV6 = 0x04;

/** Reply codes (RFC 1928 section 6). */
export const REP = {
  succeeded: 0x00,
  generalFailure: 0x01,
  notAllowedByRuleset: 0x02,
  networkUnreachable: 0x03,
  hostUnreachable: 0x04,
  connectionRefused: 0x05,
  ttlExpired: 0x06,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08,
} as const;

export type Parse<T> =
  | { readonly kind: "more" }
  | { readonly kind: "bad"; readonly reply: number; readonly detail: string }
  | ({ readonly kind: "ok"; readonly consumed: number } & T);

/** A destination as sent: IPv4/IPv6 in canonical text, or the domain bytes as ASCII text. */
export interface SocksAddress {
  readonly atyp: number;
  readonly host: string;
  readonly port: number;
}

/** `VER NMETHODS METHODS…` */
export function parseGreeting(buf: Buffer): Parse<{ methods: readonly number[] }> {
  if (buf.length < 2) return { kind: "more" };
  if (buf[0] !== SOCKS_VERSION) return { kind: "bad", reply: REP.generalFailure, detail: `SOCKS version ${buf[0]} is not 5` };
  const n = buf[1] as number;
  if (n === 0) return { kind: "bad", reply: REP.generalFailure, detail: "no authentication methods offered" };
  if (buf.length < 2 + n) return { kind: "more" };
  return { kind: "ok", consumed: 2 + n, methods: [...buf.subarray(2, 2 + n)] };
}

/** `VER CMD RSV ATYP DST.ADDR DST.PORT` */
export function parseRequest(buf: Buffer): Parse<{ command: number; address: SocksAddress }> {
  if (buf.length < 4) return { kind: "more" };
  if (buf[0] !== SOCKS_VERSION) return { kind: "bad", reply: REP.generalFailure, detail: `SOCKS version ${buf[0]} is not 5` };
  if (buf[2] !== 0x00) return { kind: "bad", reply: REP.generalFailure, detail: "reserved byte is not zero" };
  const address = parseAddress(buf, 3);
  if (address.kind !== "ok") return address;
  return { kind: "ok", consumed: address.consumed, command: buf[1] as number, address: address.address };
}

/** An address (ATYP ADDR PORT) starting at `offset`; `consumed` is the offset just past it. */
export function parseAddress(buf: Buffer, offset: number): Parse<{ address: SocksAddress }> {
  if (buf.length < offset + 1) return { kind: "more" };
  const atyp = buf[offset] as number;
  let host: string;
  let end: number;
  if (atyp === ATYP_IPV4) {
    end = offset + 1 + 4;
    if (buf.length < end + 2) return { kind: "more" };
    host = [...buf.subarray(offset + 1, end)].join(".");
  } else if (atyp === ATYP_IPV6) {
    end = offset + 1 + 16;
    if (buf.length < end + 2) return { kind: "more" };
    host = formatIpv6(buf.subarray(offset + 1, end));
  } else if (atyp === ATYP_DOMAIN) {
    if (buf.length < offset + 2) return { kind: "more" };
    const len = buf[offset + 1] as number;
    end = offset + 2 + len;
    if (buf.length < end + 2) return { kind: "more" };
    const bytes = buf.subarray(offset + 2, end);
    host = bytes.toString("latin1");
    // Host-name characters only: no NUL, control, 8-bit, `:`/`[`/`%`/`@`/`/` smuggled into a name
    // (IP addresses have their own address types).
    if (!/^[A-Za-z0-9._-]+$/.test(host)) {
      return { kind: "bad", reply: REP.notAllowedByRuleset, detail: "domain name is empty or has characters other than letters, digits, '.', '-', '_'" };
    }
  } else {
    return { kind: "bad", reply: REP.addressTypeNotSupported, detail: `address type ${atyp} is not supported` };
  }
  const port = buf.readUInt16BE(end);
  return { kind: "ok", consumed: end + 2, address: { atyp, host, port } };
}

/** A reply `VER REP RSV ATYP BND.ADDR BND.PORT`; the bound address defaults to 0.0.0.0:0. */
export function encodeReply(rep: number, bound?: { address: string; port: number }): Buffer {
  return Buffer.concat([Buffer.from([SOCKS_VERSION, rep, 0x00]), encodeAddress(bound?.address ?? "0.0.0.0", bound?.port ?? 0)]);
}

/** ATYP + address + port for an IP literal. */
export function encodeAddress(ip: string, port: number): Buffer {
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  if (net.isIPv4(ip)) return Buffer.concat([Buffer.from([ATYP_IPV4]), Buffer.from(ip.split(".").map(Number)), portBytes]);
  return Buffer.concat([Buffer.from([ATYP_IPV6]), ipv6Bytes(ip), portBytes]);
}

/** A UDP request header `RSV(2) FRAG ATYP DST.ADDR DST.PORT DATA`. */
export function parseUdpDatagram(buf: Buffer): { frag: number; address: SocksAddress; data: Buffer } | null {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) return null;
  const address = parseAddress(buf, 3);
  if (address.kind !== "ok") return null;
  return { frag: buf[2] as number, address: address.address, data: buf.subarray(address.consumed) };
}

/** Wraps a datagram from `ip:port` for the client. */
export function encodeUdpDatagram(ip: string, port: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0]), encodeAddress(ip, port), data]);
}

function formatIpv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(":");
}

/** 16 bytes of an IPv6 literal (with optional `%zone`, which is dropped; v4-mapped dotted tails allowed). */
function ipv6Bytes(ip: string): Buffer {
  const address = ip.split("%")[0] as string;
  const out = Buffer.alloc(16);
  const [head, tail] = address.includes("::") ? (address.split("::") as [string, string]) : [address, undefined];
  const expand = (part: string): number[] => {
    if (part === "") return [];
    const groups: number[] = [];
    for (const g of part.split(":")) {
      if (g.includes(".")) {
        const v4 = g.split(".").map(Number);
        groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const h = expand(head);
  const t = tail === undefined ? [] : expand(tail);
  const groups = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  groups.forEach((g, i) => out.writeUInt16BE(g & 0xffff, i * 2));
  return out;
}
