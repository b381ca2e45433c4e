// Plans the sandbox's only route out (spec 5) for bwrap mode: the bridge ports inside the sandbox's own
// network namespace, the fixed in-sandbox paths of the proxy's unix sockets, the proxy environment, and
// the seccomp/Landlock network settings. Pure: the sockets themselves are created at launch.
import type { NetworkPolicy } from "@cordon/policy-model";
import type { ExecSpec } from "../exec-spec.js";
import type { MountOp, SeccompRequest } from "../types.js";

/** Read-only tmpfs (inside the sandbox's private /dev) that holds the proxy sockets: the command cannot replace them. */
export const SANDBOX_NET_DIR = "/dev/cordon-net";
/** Bridge port when `proxy_url` asks for port 0: inside a private network namespace any port is free, so a fixed, familiar one. */
export const DEFAULT_PROXY_PORT = 3128;

/** Which proxy endpoint a bridge port leads to: the main one (HTTP, plus SOCKS5 when enabled) or a SOCKS5-only one. */
export type ProxyEndpoint = "proxy" | "socks";

/** Socket file names, in the run's private host dir and in SANDBOX_NET_DIR. */
export const ENDPOINT_FILES: Readonly<Record<ProxyEndpoint, string>> = { proxy: "proxy.sock", socks: "socks.sock" };

/** Placeholder for the host socket path in the bwrap argv; `launchPlan` replaces it with the run's socket (a relative path, so bwrap fails closed if it were ever left in). */
export function socketPlaceholder(endpoint: ProxyEndpoint): string {
  return `{cordon-run}/${ENDPOINT_FILES[endpoint]}`;
}

/** One loopback TCP port the bridge listens on (127.0.0.1 and ::1) inside the sandbox. */
export interface BridgeRoute {
  readonly port: number;
  readonly endpoint: ProxyEndpoint;
  /** Where the endpoint's socket is bind-mounted inside the sandbox. */
  readonly sandboxPath: string;
}

/** The network part of a Linux plan (JSON-serializable). */
export interface LinuxNetworkPlan {
  /** What the proxy enforces: exactly the policy's network section. */
  readonly policy: NetworkPolicy;
  /** Host the proxy variables name (the bridge listens on both loopback families). */
  readonly proxyHost: "127.0.0.1" | "[::1]";
  readonly httpPort: number;
  /** SOCKS5 port, or null when enable_socks5 is false. Equal to httpPort when one endpoint serves both. */
  readonly socksPort: number | null;
  readonly routes: readonly BridgeRoute[];
}

interface ListenUrl {
  readonly host: "127.0.0.1" | "[::1]";
  readonly port: number;
}

/** Parses the canonical loopback URL policy-model produced (`scheme://host:port`). */
function parseListenUrl(url: string): ListenUrl {
  const m = /^[a-z0-9+.-]+:\/\/(\[::1\]|127\.0\.0\.1|localhost):(\d{1,5})$/.exec(url);
  // policy-model validated the URL; anything else here is a programming error, never a silent default.
  if (!m) throw new Error(`cordon: unexpected proxy listen URL ${JSON.stringify(url)}`);
  return { host: m[1] === "[::1]" ? "[::1]" : "127.0.0.1", port: Number(m[2]) };
}

/** The bridge routes and ports for a network-enabled policy. */
export function planNetwork(policy: NetworkPolicy): LinuxNetworkPlan {
  const http = parseListenUrl(policy.proxyUrl);
  const httpPort = http.port === 0 ? DEFAULT_PROXY_PORT : http.port;
  const routes: BridgeRoute[] = [{ port: httpPort, endpoint: "proxy", sandboxPath: `${SANDBOX_NET_DIR}/${ENDPOINT_FILES.proxy}` }];
  let socksPort: number | null = null;
  if (policy.enableSocks5) {
    const socks = parseListenUrl(policy.socksUrl).port;
    // Port 0 or the HTTP port: the main endpoint serves SOCKS5 too (the proxy tells them apart by the first byte).
    socksPort = socks === 0 || socks === httpPort ? httpPort : socks;
    if (socksPort !== httpPort) routes.push({ port: socksPort, endpoint: "socks", sandboxPath: `${SANDBOX_NET_DIR}/${ENDPOINT_FILES.socks}` });
  }
  return { policy, proxyHost: http.host, httpPort, socksPort, routes };
}

/** Proxy variables (spec 5), applied after the policy's environment so host values never leak through. */
export function proxyEnvironment(base: Readonly<Record<string, string>>, net: LinuxNetworkPlan): Record<string, string> {
  const env: Record<string, string> = { ...base };
  const httpUrl = `http://${net.proxyHost}:${net.httpPort}`;
  for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]) env[name] = httpUrl;
  // Spec 5 gives the command ALL_PROXY too. Without SOCKS5 it names the HTTP proxy, so an ALL_PROXY
  // inherited from the host can never point anywhere else (same on macOS and Windows).
  const allUrl = net.socksPort === null ? httpUrl : `socks5h://${net.proxyHost}:${net.socksPort}`;
  for (const name of ["ALL_PROXY", "all_proxy"]) env[name] = allUrl;
  env.NO_PROXY = "";
  env.no_proxy = "";
  return env;
}

/** The `--bridge` argument of cordon-exec. */
export function bridgeArgument(net: LinuxNetworkPlan): string {
  return net.routes.map((r) => `${r.port}=${r.sandboxPath}`).join(",");
}

/** Mounts that put the proxy sockets at their fixed paths: a read-only tmpfs with one socket bind per endpoint. */
export function networkMounts(net: LinuxNetworkPlan): MountOp[] {
  const mounts: MountOp[] = [{ op: "tmpfs", dest: SANDBOX_NET_DIR, perms: "0555", readOnly: true, why: "holds the egress proxy's sockets; read-only, so the command cannot replace them" }];
  for (const r of net.routes) {
    mounts.push({ op: "proxy-socket", endpoint: r.endpoint, dest: r.sandboxPath, why: `the egress proxy's ${r.endpoint === "proxy" ? "main" : "SOCKS5-only"} socket, bridged to 127.0.0.1:${r.port} and [::1]:${r.port}` });
  }
  return mounts;
}

/** seccomp for a network-enabled sandbox: inet sockets (the namespace only has loopback, to the bridge). */
export function networkSeccomp(allowUnixSockets: boolean): SeccompRequest {
  return { network: "proxy", allowUnixSockets };
}

/**
 * Landlock TCP rights: connect only to the bridge ports, no bind. With `allow_local_binding` the command
 * may bind and connect to any port of its own loopback (the namespace has nothing else on it), since a
 * local server it cannot connect to would be useless (cordon's reading; the spec only names DNS results).
 */
export function networkLandlockTcp(net: LinuxNetworkPlan): Pick<NonNullable<ExecSpec["landlock"]>, "tcpConnectPorts" | "denyTcpBind"> {
  if (net.policy.allowLocalBinding) return { tcpConnectPorts: null, denyTcpBind: false };
  return { tcpConnectPorts: [...new Set(net.routes.map((r) => r.port))], denyTcpBind: true };
}
