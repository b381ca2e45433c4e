// Where the run's egress proxy listens, read from network.proxy_url / socks_url: a loopback host and a
// port (0 = ephemeral, chosen when the proxy starts). Shared by planning (profile ports) and launch.
import type { NetworkPolicy, Refusal } from "@cordon/policy-model";

/** A loopback listen host the egress proxy accepts. */
export type LoopbackHost = "127.0.0.1" | "::1";

/** The proxy's endpoints for one run. */
export interface ProxyEndpoints {
  /** Main listener: HTTP CONNECT and forwarding, and SOCKS5 too when `enable_socks5`. */
  readonly http: { readonly host: LoopbackHost; readonly port: number };
  /**
   * A separate SOCKS5-only listener, only when `enable_socks5` and socks_url names a fixed port other
   * than the HTTP one. socks_url port 0 means "any port": SOCKS5 then shares the main listener (the
   * proxy tells the protocols apart by the first byte), so the sandbox needs one open port, not two.
   */
  readonly socks: { readonly host: LoopbackHost; readonly port: number } | null;
}

const HOSTS: Readonly<Record<string, LoopbackHost>> = { "127.0.0.1": "127.0.0.1", localhost: "127.0.0.1", "::1": "::1" };

/** Parses one listen URL; a refusal when it is not a loopback `scheme://host:port`. */
function parseListenUrl(text: string, refusals: Refusal[]): { host: LoopbackHost; port: number } | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    refusals.push({ rule: `proxy address ${text}`, reason: "not a URL" });
    return null;
  }
  const host = HOSTS[url.hostname.replace(/^\[|\]$/g, "").toLowerCase()];
  if (host === undefined) {
    refusals.push({
      rule: `proxy address ${text}`,
      reason:
        'Seatbelt can only limit outbound connections to loopback ports (remote ip "localhost:PORT"); the managed proxy must listen on 127.0.0.1, ::1 or localhost',
    });
    return null;
  }
  return { host, port: url.port === "" ? 0 : Number(url.port) };
}

/** The endpoints of `network` (null when the network is off), with a refusal for each bad URL. */
export function proxyEndpoints(network: NetworkPolicy, refusals: Refusal[]): ProxyEndpoints | null {
  if (!network.enabled) return null;
  const http = parseListenUrl(network.proxyUrl, refusals);
  const socksUrl = network.enableSocks5 ? parseListenUrl(network.socksUrl, refusals) : null;
  if (http === null) return null;
  const separate = socksUrl !== null && socksUrl.port !== 0 && !(socksUrl.port === http.port && socksUrl.host === http.host);
  return { http, socks: separate ? socksUrl : null };
}

/** Ports known before the proxy starts (HTTP first, then a separate SOCKS5 port); null while any is ephemeral. */
export function fixedProxyPorts(endpoints: ProxyEndpoints): number[] | null {
  if (endpoints.http.port === 0) return null;
  return endpoints.socks ? [endpoints.http.port, endpoints.socks.port] : [endpoints.http.port];
}
