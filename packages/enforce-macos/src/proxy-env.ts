// The proxy variables the command gets when the network is enabled (spec 5): every common spelling,
// pointing at the managed proxy on loopback; NO_PROXY empty so nothing bypasses it.
import type { NetworkPolicy } from "@cordon/policy-model";
import type { LoopbackHost } from "./proxy-address.js";

/** The variables set (each also in lowercase). */
export const PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"] as const;

/**
 * `ports[0]` is the main listener (HTTP, and SOCKS5 as well when enabled); `ports[1]`, when present,
 * a separate SOCKS5 listener. ALL_PROXY names SOCKS5 (`socks5h`: names are resolved by the proxy,
 * never inside the sandbox) when `enable_socks5`, else the HTTP proxy: it always points at the
 * managed proxy, so an inherited ALL_PROXY can never name another one.
 */
export function proxyEnvironment(network: NetworkPolicy, ports: readonly number[], host: LoopbackHost = "127.0.0.1"): Record<string, string> {
  const http = ports[0];
  if (http === undefined) return {};
  const authority = (port: number): string => (host === "::1" ? `[::1]:${port}` : `${host}:${port}`);
  const httpUrl = `http://${authority(http)}`;
  const allUrl = network.enableSocks5 ? `socks5h://${authority(ports[1] ?? http)}` : httpUrl;
  const env: Record<string, string> = {};
  for (const [name, value] of [
    ["HTTP_PROXY", httpUrl],
    ["HTTPS_PROXY", httpUrl],
    ["ALL_PROXY", allUrl],
    ["NO_PROXY", ""],
  ] as const) {
    env[name] = value;
    env[name.toLowerCase()] = value;
  }
  return env;
}
