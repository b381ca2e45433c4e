// The proxy variables the command gets when the network is enabled (spec 5): every common spelling,
// pointing at the managed proxy on loopback; NO_PROXY empty so nothing bypasses it.
import type { NetworkPolicy } from "@cordon/policy-model";

/** `ports[0]` is the HTTP proxy; `ports[1]`, when SOCKS5 is enabled, the SOCKS5 endpoint. */
export function proxyEnvironment(network: NetworkPolicy, ports: readonly number[]): Record<string, string> {
  const http = ports[0];
  if (http === undefined) return {};
  const httpUrl = `http://127.0.0.1:${http}`;
  const socks = network.enableSocks5 ? ports[1] : undefined;
  const allUrl = socks === undefined ? httpUrl : `socks5h://127.0.0.1:${socks}`;
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
