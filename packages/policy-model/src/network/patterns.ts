// Domain pattern grammar and matching: exact host, `*.suffix`, `**.suffix`, and the global `*`.
import { CordonError } from "../errors.js";
import type { Origin } from "../origin.js";
import { destinationKey, parseIpLiteral } from "./address.js";
import { isValidHostname, normalizeDomainPattern } from "./host.js";

export type PatternKind = "global" | "subdomains" | "apex-and-subdomains" | "exact";

/** A validated, normalized domain pattern. */
export interface ParsedPattern {
  readonly pattern: string;
  readonly kind: PatternKind;
  /** The host (exact) or suffix (wildcards) the pattern is about; "" for `*`. */
  readonly base: string;
}

export const GLOBAL_DENY_MESSAGE =
  'unsupported global wildcard domain pattern "*"; use exact hosts or scoped wildcards like *.example.com or **.example.com';

/**
 * Validates and normalizes one domain pattern key. Throws CordonError E_DOMAIN naming the key.
 * Mid-label wildcards (`region*.example.com`) and `?` are rejected: the spec defines only whole
 * leading-label wildcards, and a narrower grammar is the least-privilege reading.
 */
export function parseDomainPattern(
  rawKey: string,
  decision: "allow" | "deny",
  origin: Origin,
  keyPath: readonly string[],
): ParsedPattern {
  const fail = (detail: string): never => {
    throw new CordonError("E_DOMAIN", detail, { origin, keyPath });
  };
  const pattern = normalizeDomainPattern(rawKey);
  if (pattern === "") fail("empty domain pattern; use an exact host like example.com or a wildcard like *.example.com");
  if (pattern === "*") {
    if (decision === "deny") fail(GLOBAL_DENY_MESSAGE);
    return { pattern, kind: "global", base: "" };
  }
  const kind: PatternKind = pattern.startsWith("**.") ? "apex-and-subdomains" : pattern.startsWith("*.") ? "subdomains" : "exact";
  const base = kind === "apex-and-subdomains" ? pattern.slice(3) : kind === "subdomains" ? pattern.slice(2) : pattern;
  if (base.includes("*") || base.includes("?")) {
    fail(
      `unsupported wildcard in domain pattern ${JSON.stringify(rawKey)}; a wildcard may only be the whole first label: "*.example.com" (subdomains) or "**.example.com" (apex and subdomains)`,
    );
  }
  if (/^[0-9a-f:.[\]]+\/[0-9]+$/.test(base)) {
    fail(`domain pattern ${JSON.stringify(rawKey)} is a CIDR range; ranges are not supported, list each IP address exactly`);
  }
  if (/[/@]/.test(base)) {
    fail(`domain pattern ${JSON.stringify(rawKey)} must be a host name, not a URL: no scheme, user, path or query`);
  }
  if (hasPort(base)) {
    fail(`domain pattern ${JSON.stringify(rawKey)} must not contain a port; a rule applies to every port of the host`);
  }
  const ip = parseIpLiteral(base);
  if (ip !== null) {
    if (kind !== "exact") fail(`domain pattern ${JSON.stringify(rawKey)} puts a wildcard on an IP address; list IP addresses exactly`);
    return { pattern: ip, kind, base: ip };
  }
  if (!isValidHostname(base)) {
    fail(`invalid domain pattern ${JSON.stringify(rawKey)}: not a valid host name or IP address`);
  }
  return { pattern, kind, base };
}

/** `host:port` or `[v6]:port`; a bare IPv6 address has several colons and no port. */
function hasPort(text: string): boolean {
  if (/^\[[^\]]*\]:/.test(text)) return true;
  return text.split(":").length === 2;
}

/** Parses a normalized pattern that compileNetwork already validated. */
export function patternKind(pattern: string): ParsedPattern {
  if (pattern === "*") return { pattern, kind: "global", base: "" };
  if (pattern.startsWith("**.")) return { pattern, kind: "apex-and-subdomains", base: pattern.slice(3) };
  if (pattern.startsWith("*.")) return { pattern, kind: "subdomains", base: pattern.slice(2) };
  return { pattern, kind: "exact", base: pattern };
}

/** Does a normalized pattern match a normalized host? Case-insensitive by construction. */
export function patternMatches(pattern: string, host: string): boolean {
  const { kind, base } = patternKind(pattern);
  switch (kind) {
    case "global":
      return true;
    case "exact":
      return host === base;
    case "subdomains":
      return host.endsWith(`.${base}`);
    case "apex-and-subdomains":
      return host === base || host.endsWith(`.${base}`);
  }
}

/**
 * Does a deny pattern match a normalized host? Like patternMatches, but an IP-literal pattern
 * also matches every spelling of the same IPv4 destination (`::ffff:1.2.3.4`, NAT64, 6to4), so a
 * deny cannot be dodged by re-spelling the address. (Allows stay exact: least privilege.)
 */
export function denyPatternMatches(pattern: string, host: string): boolean {
  if (patternMatches(pattern, host)) return true;
  const patternKey = destinationKey(pattern);
  return patternKey !== null && patternKey === destinationKey(host);
}

/** Higher = more specific; used to report the most specific matching rule. */
export function patternSpecificity(pattern: string): number {
  const { kind, base } = patternKind(pattern);
  if (kind === "exact") return 3_000 + base.length;
  if (kind === "subdomains") return 2_000 + base.length;
  if (kind === "apex-and-subdomains") return 1_000 + base.length;
  return 0;
}
