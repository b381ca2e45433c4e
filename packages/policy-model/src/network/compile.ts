// Compiles a profile's `network` table into the NetworkPolicy of the ResolvedPolicy: defaults,
// validated domain patterns, loopback-only listen URLs and final unix socket decisions.
import { posix as posixPath } from "node:path";
import { CordonError } from "../errors.js";
import type { Origin } from "../origin.js";
import type { DomainRule, NetworkPolicy, UnixSocketRule } from "../resolved-policy.js";
import type { NetworkTable } from "../schema.js";
import { parseDomainPattern } from "./patterns.js";

/** Defaults of spec 5: no network; when enabled, limited mode through a loopback proxy. */
export const NETWORK_DEFAULTS = {
  enabled: false,
  mode: "limited",
  allowLocalBinding: false,
  enableSocks5: true,
  enableSocks5Udp: false,
  proxyUrl: "http://127.0.0.1:0",
  socksUrl: "socks5://127.0.0.1:0",
  allowUpstreamProxy: false,
} as const;

type OriginOf = (keyPath: readonly string[]) => Origin;

/**
 * Builds the NetworkPolicy for one profile. `table` is the merged `network` table (already shaped
 * by the zod schema); `originOf` maps a key path relative to that table (`["domains", "x.com"]`)
 * to where it was set. Throws CordonError E_DOMAIN (bad pattern) or E_SCHEMA (bad value).
 */
export function compileNetwork(table: NetworkTable | undefined, originOf: OriginOf): NetworkPolicy {
  const t = table ?? {};
  return {
    enabled: booleanKey(t, "enabled", NETWORK_DEFAULTS.enabled, originOf),
    mode: modeKey(t, originOf),
    allowLocalBinding: booleanKey(t, "allow_local_binding", NETWORK_DEFAULTS.allowLocalBinding, originOf),
    enableSocks5: booleanKey(t, "enable_socks5", NETWORK_DEFAULTS.enableSocks5, originOf),
    enableSocks5Udp: booleanKey(t, "enable_socks5_udp", NETWORK_DEFAULTS.enableSocks5Udp, originOf),
    proxyUrl: t.proxy_url === undefined ? NETWORK_DEFAULTS.proxyUrl : listenUrl(t.proxy_url, "proxy_url", ["http:"], originOf),
    socksUrl:
      t.socks_url === undefined ? NETWORK_DEFAULTS.socksUrl : listenUrl(t.socks_url, "socks_url", ["socks5:", "socks5h:"], originOf),
    allowUpstreamProxy: booleanKey(t, "allow_upstream_proxy", NETWORK_DEFAULTS.allowUpstreamProxy, originOf),
    domains: compileDomains(t.domains, originOf),
    unixSockets: compileUnixSockets(t.unix_sockets, originOf),
  };
}

function schemaError(key: readonly string[], detail: string, originOf: OriginOf): CordonError {
  return new CordonError("E_SCHEMA", detail, { origin: originOf(key), keyPath: key });
}

type BooleanKey = "enabled" | "allow_local_binding" | "enable_socks5" | "enable_socks5_udp" | "allow_upstream_proxy";

function booleanKey(t: NetworkTable, key: BooleanKey, fallback: boolean, originOf: OriginOf): boolean {
  const value: unknown = t[key];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw schemaError([key], `${key} must be true or false`, originOf);
  return value;
}

function modeKey(t: NetworkTable, originOf: OriginOf): "limited" | "full" {
  const value: unknown = t.mode;
  if (value === undefined) return NETWORK_DEFAULTS.mode;
  if (value !== "limited" && value !== "full") throw schemaError(["mode"], 'mode must be "limited" or "full"', originOf);
  return value;
}

const LOOPBACK_LISTEN_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/**
 * Validates a listen URL: the given scheme, a loopback host (127.0.0.1, [::1] or localhost) and an
 * explicit port (0 = ephemeral); nothing else. A proxy listening elsewhere would be reachable from
 * other machines, so that is an error rather than a warning (least privilege).
 * Returns the canonical `scheme://host:port`.
 */
function listenUrl(value: unknown, key: "proxy_url" | "socks_url", schemes: readonly string[], originOf: OriginOf): string {
  const example = key === "proxy_url" ? NETWORK_DEFAULTS.proxyUrl : NETWORK_DEFAULTS.socksUrl;
  const fail = (detail: string): never => {
    throw schemaError([key], detail, originOf);
  };
  if (typeof value !== "string") return fail(`${key} must be a string like "${example}"`);
  const match = /^([a-z][a-z0-9+.-]*:)\/\/(\[[^\]]*\]|[^/:?#@[\]]*)(?::([0-9]*))?\/?$/i.exec(value.trim());
  if (!match) {
    return fail(`${key} must be scheme://host:port with no user, path, query or fragment, e.g. "${example}" (got ${JSON.stringify(value)})`);
  }
  const scheme = (match[1] as string).toLowerCase();
  const host = (match[2] as string).toLowerCase();
  const portText = match[3];
  if (!schemes.includes(scheme)) {
    fail(`${key} must use ${schemes.map((s) => `${s}//`).join(" or ")} (got ${JSON.stringify(value)})`);
  }
  if (!LOOPBACK_LISTEN_HOSTS.has(host)) {
    fail(
      `${key} must listen on loopback (127.0.0.1, [::1] or localhost), not ${JSON.stringify(host)}: a proxy on another address would be reachable from other machines`,
    );
  }
  if (portText === undefined || portText === "") fail(`${key} must name its port explicitly, e.g. "${example}" (0 = ephemeral)`);
  const port = Number(portText);
  if (portText!.length > 5 || port > 65535) fail(`${key} port must be between 0 and 65535 (got ${portText})`);
  return `${scheme}//${host}:${port}`;
}

/** Validates and normalizes every domain pattern; one rule per pattern, deny wins on duplicates. */
function compileDomains(domains: NetworkTable["domains"], originOf: OriginOf): DomainRule[] {
  const byPattern = new Map<string, DomainRule>();
  for (const [rawKey, decision] of Object.entries(domains ?? {})) {
    const keyPath = ["domains", rawKey];
    const origin = originOf(keyPath);
    if (decision !== "allow" && decision !== "deny") {
      throw new CordonError("E_SCHEMA", `a domain rule must be "allow" or "deny" (got ${JSON.stringify(decision)})`, { origin, keyPath });
    }
    const { pattern } = parseDomainPattern(rawKey, decision, origin, keyPath);
    const previous = byPattern.get(pattern);
    // Two spellings of one pattern (Example.com, example.com.) in one table: the deny is kept.
    if (previous && previous.decision === "deny") continue;
    byPattern.set(pattern, { pattern, decision, origin });
  }
  return [...byPattern.values()];
}

/**
 * Final unix socket decisions. Keys must be absolute paths (POSIX `/…` or Windows `C:\…`);
 * `~` is not expanded here (the network table has no home directory in scope), and abstract
 * (`@name`) or relative names are errors: spec 5 never lets abstract sockets be reached.
 * "none" means "deny"; two spellings of one path keep the deny.
 */
function compileUnixSockets(sockets: NetworkTable["unix_sockets"], originOf: OriginOf): UnixSocketRule[] {
  const byPath = new Map<string, UnixSocketRule>();
  for (const [rawKey, value] of Object.entries(sockets ?? {})) {
    const keyPath = ["unix_sockets", rawKey];
    const origin = originOf(keyPath);
    if (value !== "allow" && value !== "deny" && value !== "none") {
      throw new CordonError("E_SCHEMA", `a unix socket rule must be "allow", "deny" or "none" (got ${JSON.stringify(value)})`, {
        origin,
        keyPath,
      });
    }
    const path = normalizeSocketPath(rawKey);
    if (path === null) {
      throw new CordonError(
        "E_PATH",
        `unix socket path ${JSON.stringify(rawKey)} must be absolute (e.g. "/var/run/docker.sock"); "~" and relative or abstract names are not accepted`,
        { origin, keyPath },
      );
    }
    const decision = value === "allow" ? "allow" : "deny";
    const previous = byPath.get(path);
    if (previous && previous.decision === "deny") continue;
    byPath.set(path, { path, decision, origin });
  }
  return [...byPath.values()];
}

function normalizeSocketPath(raw: string): string | null {
  if (raw.includes("\0")) return null;
  if (raw.startsWith("/")) {
    const normalized = posixPath.normalize(raw);
    return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
  }
  if (/^[A-Za-z]:[\\/]/.test(raw)) return raw;
  return null;
}
