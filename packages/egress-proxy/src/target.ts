// Parses request targets (CONNECT authority, absolute-form URL, Host header) strictly, before any
// policy decision: userinfo, bad ports, unbracketed IPv6 with a port and stray characters are refused.
import { normalizeHost } from "@cordon/policy-model";

/** A syntactically valid target: `host` is the raw host text (brackets kept for IPv6). */
export interface ParsedTarget {
  readonly host: string;
  readonly port: number;
}

export type TargetParse = { readonly ok: true; readonly target: ParsedTarget } | { readonly ok: false; readonly detail: string };

// Characters never valid in an authority we forward: userinfo, path, query, fragment, whitespace,
// backslash (some parsers treat it as "/"). `%` is checked separately (only an IPv6 zone may use it).
const FORBIDDEN = /[@/\\?#\s]/;

/**
 * Parses `host:port`, `[v6]:port`, or — when `defaultPort` is given — `host` / `[v6]` alone.
 * Port: 1–5 digits, 1..65535.
 */
export function parseAuthority(authority: string, defaultPort: number | null): TargetParse {
  if (authority === "") return fail("empty target");
  if (FORBIDDEN.test(authority)) {
    return fail(authority.includes("@") ? "userinfo in the target authority is not allowed" : "invalid characters in the target authority");
  }
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith("[")) {
    const m = /^(\[[^\][]*\])(?::(.*))?$/.exec(authority);
    if (!m) return fail("malformed bracketed host");
    host = m[1] as string;
    portText = m[2];
  } else {
    const parts = authority.split(":");
    if (parts.length > 2) return fail("an IPv6 address must be written in brackets");
    host = parts[0] as string;
    portText = parts[1];
    if (host.includes("%")) return fail("percent-encoded host names are not allowed");
  }
  if (host === "" || host === "[]") return fail("empty host");
  if (portText === undefined) {
    if (defaultPort === null) return fail("missing port");
    return { ok: true, target: { host, port: defaultPort } };
  }
  const port = parsePort(portText);
  if (port === null) return fail(`invalid port ${JSON.stringify(portText)} (must be 1-65535)`);
  return { ok: true, target: { host, port } };
}

/** 1–5 ASCII digits in 1..65535, else null. */
export function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/** An absolute-form `http://authority/path?query` request target. */
export interface AbsoluteHttpTarget extends ParsedTarget {
  /** The authority exactly as sent (for the forwarded Host header). */
  readonly authority: string;
  /** Origin-form path and query to send upstream (always starts with `/`). */
  readonly path: string;
}

export type AbsoluteParse = { readonly ok: true; readonly target: AbsoluteHttpTarget } | { readonly ok: false; readonly detail: string };

/** Parses an absolute-form request target; only `http:` is forwarded (HTTPS goes through CONNECT). */
export function parseAbsoluteHttpUrl(url: string): AbsoluteParse {
  if (url.startsWith("/") || url === "*") {
    return { ok: false, detail: "origin-form request: this is a proxy; send an absolute URL (http://host/path) or CONNECT" };
  }
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^#]*)(#.*)?$/.exec(url);
  if (!m) return { ok: false, detail: "malformed request target (expected http://host/path)" };
  if ((m[1] as string).toLowerCase() !== "http") {
    return { ok: false, detail: `scheme ${JSON.stringify(m[1])} is not forwarded; use CONNECT for https and other protocols` };
  }
  const authority = m[2] as string;
  const parsed = parseAuthority(authority, 80);
  if (!parsed.ok) return parsed;
  const rest = m[3] as string;
  const path = rest === "" ? "/" : rest.startsWith("?") ? `/${rest}` : rest;
  return { ok: true, target: { ...parsed.target, authority, path } };
}

/**
 * True when a Host header names the same host and port as the target (NET-08). A Host header
 * without a port matches the target's port only if that is `defaultPort` (80 for plain HTTP;
 * for CONNECT, where there is no default, a port-less Host header must only name the same host).
 */
export function hostHeaderMatches(hostHeader: string, target: ParsedTarget, defaultPort: number | null): boolean {
  const header = normalizeHost(hostHeader);
  const wanted = normalizeHost(target.host);
  if (header === null || wanted === null || header.host !== wanted.host) return false;
  if (header.port === null) return defaultPort === null || target.port === defaultPort;
  return header.port === target.port;
}

function fail(detail: string): TargetParse {
  return { ok: false, detail };
}
