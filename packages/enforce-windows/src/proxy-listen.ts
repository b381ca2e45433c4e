// Where the run's egress proxy may listen on Windows: a loopback port inside the fixed range the
// online sandbox user's WFP filters permit (installed by `cordon setup windows`), read from
// network.proxy_url / socks_url. Pure planning; the proxy is started by launch().
import type { NetworkPolicy, Refusal } from "@cordon/policy-model";

export type LoopbackHost = "127.0.0.1" | "::1";

/** The proxy endpoints of a plan (plain JSON). */
export interface ProxyListenPlan {
  /** Main listener (HTTP CONNECT/forward, and SOCKS5 when enabled). */
  readonly host: LoopbackHost;
  /** Inclusive ports to try in order until one binds: the whole range, or proxy_url's fixed port twice. */
  readonly ports: readonly [number, number];
  /**
   * A separate SOCKS5-only listener: only when `enable_socks5` and socks_url names a fixed port other
   * than the HTTP one. socks_url port 0 shares the main listener (the proxy tells the protocols apart by
   * the first byte), so a run holds one port of the range, not two.
   */
  readonly socks: { readonly host: LoopbackHost; readonly port: number } | null;
}

const HOSTS: Readonly<Record<string, LoopbackHost>> = { "127.0.0.1": "127.0.0.1", localhost: "127.0.0.1", "::1": "::1" };

function parse(key: "proxy_url" | "socks_url", text: string, range: readonly [number, number], refusals: Refusal[]): { host: LoopbackHost; port: number } | null {
  const rule = `network.${key} = "${text}"`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    refusals.push({ rule, reason: "not a URL; the managed proxy needs scheme://127.0.0.1:port" });
    return null;
  }
  const host = HOSTS[url.hostname.replace(/^\[|\]$/g, "").toLowerCase()];
  if (host === undefined) {
    refusals.push({ rule, reason: "the sandbox user's WFP filters permit only loopback (127.0.0.1, ::1); the managed proxy must listen on 127.0.0.1, ::1 or localhost" });
    return null;
  }
  const port = url.port === "" ? 0 : Number(url.port);
  if (port !== 0 && (port < range[0] || port > range[1])) {
    refusals.push({
      rule,
      reason: `port ${port} is outside the loopback port range ${range[0]}-${range[1]} that the sandbox user's WFP filters permit (set by \`cordon setup windows\`); use port 0 or a port in that range`,
    });
    return null;
  }
  return { host, port };
}

/** The listen plan for a network-enabled run inside `range`, or refusals naming the bad URL. */
export function planProxyListen(network: NetworkPolicy, range: readonly [number, number], refusals: Refusal[]): ProxyListenPlan | null {
  const http = parse("proxy_url", network.proxyUrl, range, refusals);
  const socks = network.enableSocks5 ? parse("socks_url", network.socksUrl, range, refusals) : null;
  if (http === null || (network.enableSocks5 && socks === null)) return null;
  const separate = socks !== null && socks.port !== 0 && !(socks.port === http.port && socks.host === http.host);
  return {
    host: http.host,
    ports: http.port === 0 ? [range[0], range[1]] : [http.port, http.port],
    socks: separate ? socks : null,
  };
}
