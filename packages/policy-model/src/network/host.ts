// Host normalization: one canonical spelling per destination, so that matching cannot be dodged
// by case, trailing dots, brackets, ports, IDN forms or alternative IP literal spellings.
import { domainToASCII } from "node:url";
import { parseIpLiteral, parseIpv4 } from "./address.js";

/** A normalized host: lowercase ASCII name or canonical IP literal, plus the port if one was given. */
export interface NormalizedHost {
  readonly host: string;
  readonly port: number | null;
}

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
// Letters, digits, hyphen; underscore too because real DNS names use it (_dmarc, CDN hosts).
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;

/**
 * Normalizes a host as a client would send it (`Example.COM.`, `[::1]:443`, `127.1:80`,
 * `Bücher.example`): trims, strips IPv6 brackets and the port, lowercases ASCII, removes one
 * trailing dot, converts IDN to punycode and canonicalizes IP literals (`2130706433` → `127.0.0.1`).
 * Returns null for anything that is not a valid host (empty, bad labels or characters, userinfo,
 * percent-encoding, an IPv4-looking name that is not a valid address, a bad port).
 */
export function normalizeHost(input: string): NormalizedHost | null {
  const split = splitHostPort(input.trim());
  if (!split) return null;
  const host = normalizeBareHost(split.host);
  return host === null ? null : { host, port: split.port };
}

/** Splits `host`, `host:port`, `[v6]`, `[v6]:port` and bare IPv6 (no port). */
function splitHostPort(text: string): { host: string; port: number | null } | null {
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) return null;
    const inner = text.slice(1, close);
    const rest = text.slice(close + 1);
    // Brackets are only for IPv6 literals: `[allowed.example]:443` is not a host.
    if (!inner.includes(":")) return null;
    if (rest === "") return { host: inner, port: null };
    if (!rest.startsWith(":")) return null;
    const port = parsePort(rest.slice(1));
    return port === null ? null : { host: inner, port };
  }
  const colons = text.split(":").length - 1;
  if (colons === 1) {
    const [host, portText] = text.split(":") as [string, string];
    const port = parsePort(portText);
    return port === null ? null : { host, port };
  }
  return { host: text, port: null }; // no colon, or an unbracketed IPv6 literal (no port possible)
}

function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/** Normalizes a host without port: IP literal → canonical; name → lowercase punycode, validated. */
function normalizeBareHost(raw: string, trailingDotAllowed = true): string | null {
  if (raw === "" || raw.trim() !== raw) return null;
  if (raw.includes(":")) return parseIpLiteral(raw); // only IPv6 literals contain colons
  let name = asciiLowercase(raw);
  if (trailingDotAllowed && name.endsWith(".")) name = name.slice(0, -1);
  if (name === "") return null;
  if (!isAscii(name)) {
    // domainToASCII applies IDNA mapping (fullwidth digits and dots, ideographic full stops), so
    // its result is checked again from the start: "１２７.０.０.１" becomes the IP 127.0.0.1.
    // Only non-ASCII input goes through it: it would also percent-decode and rewrite numbers.
    if (/[%@/\\\s]/.test(name)) return null;
    const ascii = domainToASCII(name);
    if (ascii === "" || !isAscii(ascii)) return null;
    return normalizeBareHost(ascii, trailingDotAllowed && !raw.endsWith("."));
  }
  const ip = parseIpLiteral(name);
  if (ip !== null) return ip;
  return isValidHostname(name) ? name : null;
}

/**
 * True for a lowercase ASCII DNS name: 1–63-character labels of letters, digits, `-` and `_`
 * (no leading/trailing `-`), at most 253 characters, and a last label that is not numeric
 * (WHATWG URL: a name ending in a number must be a valid IPv4 address, else it is invalid).
 */
export function isValidHostname(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return false;
  const labels = name.split(".");
  for (const label of labels) {
    if (label.length === 0 || label.length > MAX_LABEL_LENGTH || !LABEL.test(label)) return false;
    if (label.startsWith("xn--") && domainToASCII(label) === "") return false; // invalid punycode
  }
  const last = labels[labels.length - 1] as string;
  if (/^[0-9]+$/.test(last) || /^0x[0-9a-f]*$/.test(last)) return parseIpv4(name) !== null;
  return true;
}

/**
 * Normalizes a domain pattern key for comparison and merging: trims, lowercases, removes one
 * trailing dot, keeps a leading `*.` or `**.`, converts the rest to punycode and canonicalizes IP
 * literals (`[::1]` → `::1`, `127.1` → `127.0.0.1`). Never throws: a pattern that cannot be
 * normalized is returned trimmed and lowercased, for `compileNetwork` to reject.
 */
export function normalizeDomainPattern(pattern: string): string {
  const text = asciiLowercase(pattern.trim());
  const prefix = text.startsWith("**.") ? "**." : text.startsWith("*.") ? "*." : "";
  const rest = text.slice(prefix.length);
  if (rest === "") return text; // "*." must not collapse into the global "*"
  if (rest.includes("*") || rest.includes("?")) return stripOneTrailingDot(text);
  // A port is never part of a pattern; keep it visible so compileNetwork can reject it.
  const bracketedV6 = /^\[([^\]]*)\]$/.exec(rest);
  const bare = bracketedV6 ? (bracketedV6[1] as string) : rest;
  if (!bracketedV6 && bare.split(":").length === 2) return stripOneTrailingDot(text);
  const normalized = normalizeBareHost(bare);
  return normalized === null ? stripOneTrailingDot(text) : prefix + normalized;
}

function stripOneTrailingDot(text: string): string {
  return text.endsWith(".") ? text.slice(0, -1) : text;
}

function asciiLowercase(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}

/**
 * True for names that always mean this machine: `localhost` and every `*.localhost` (RFC 6761).
 * Expects a normalized host.
 */
export function isLocalhostName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}
