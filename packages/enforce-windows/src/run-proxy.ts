// One managed egress proxy per run (spec 5) on Windows: started on the first port of the setup's
// WFP-permitted loopback range that binds, its variables added to the command's environment, its
// refusals collected as Denial records, closed after the command. Platform-independent.
import { EgressProxyError, startEgressProxy, type EgressProxy, type EgressProxyOptions, type Resolver } from "@cordon/egress-proxy";
import type { Denial } from "@cordon/policy-model";
import type { WindowsProxyPlan } from "./plan-types.js";
import { ProxyDenialCollector } from "./proxy-denials.js";
import type { LoopbackHost } from "./proxy-listen.js";

/** The variables set (each also in lowercase). */
export const PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"] as const;

export interface WindowsRunProxyOptions {
  /** Collect the proxy's refusals as Denial records. */
  readonly logDenials?: boolean;
  /** Host-side resolver (default: the system's); tests pass a fixed one. */
  readonly resolve?: Resolver;
  /** cordon's own environment: where the upstream proxy is read from (only with allow_upstream_proxy). */
  readonly hostEnv?: Readonly<Record<string, string | undefined>>;
}

/** A running proxy for one run. */
export interface WindowsRunProxy {
  readonly proxy: EgressProxy;
  /** The port the main listener bound (inside the plan's range). */
  readonly port: number;
  /** HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY and their lowercase forms. */
  readonly env: Readonly<Record<string, string>>;
  /** The proxy's refusals so far, and what that list cannot show. */
  denialLog(): { denials: Denial[]; limits: string[] };
  /** Stops the proxy and destroys every connection. Idempotent. */
  close(): Promise<void>;
}

function authority(host: LoopbackHost, port: number): string {
  return host === "::1" ? `[::1]:${port}` : `${host}:${port}`;
}

/** The host's own proxy (HTTPS_PROXY first, as the egress proxy documents), or undefined. */
export function hostUpstreamProxy(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

/**
 * `env` with the proxy variables replaced. Windows looks variables up case-insensitively, so every
 * inherited spelling (`Http_Proxy`, …) is removed first: none can shadow the managed proxy. Both the
 * upper- and lowercase forms are then set (POSIX-style tools such as MSYS curl read only lowercase).
 */
export function withProxyEnvironment(env: Readonly<Record<string, string>>, proxy: Readonly<Record<string, string>>): Record<string, string> {
  const names = new Set<string>(PROXY_VARIABLES);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (!names.has(name.toUpperCase())) out[name] = value;
  return { ...out, ...proxy };
}

/** The proxy variables for a proxy whose main listener is `host:port` (SOCKS5 at `socksPort` when separate). */
export function proxyVariables(plan: WindowsProxyPlan, port: number, socksPort: number | null): Record<string, string> {
  const httpUrl = `http://${authority(plan.host, port)}`;
  // ALL_PROXY always names the managed proxy: SOCKS5 (names resolved by the proxy) when enabled.
  const allUrl = plan.policy.enableSocks5 ? `socks5h://${plan.socks && socksPort !== null ? authority(plan.socks.host, socksPort) : authority(plan.host, port)}` : httpUrl;
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

/**
 * Starts the run's egress proxy on the first port of `plan.ports` that binds (a port taken by another
 * program is skipped; any other failure stops at once). Throws an Error naming the range when none binds.
 */
export async function startWindowsProxy(plan: WindowsProxyPlan, options: WindowsRunProxyOptions = {}): Promise<WindowsRunProxy> {
  const collector = options.logDenials ? new ProxyDenialCollector() : null;
  const upstreamProxy = plan.policy.allowUpstreamProxy ? hostUpstreamProxy(options.hostEnv ?? process.env) : undefined;
  const base: Omit<EgressProxyOptions, "listen"> = {
    network: plan.policy,
    ...(plan.socks ? { socksListen: plan.socks } : {}),
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(upstreamProxy !== undefined ? { upstreamProxy } : {}),
    ...(collector ? { onDecision: collector.record } : {}),
  };
  const [low, high] = plan.ports;
  let lastError: unknown;
  for (let port = low; port <= high; port++) {
    if (plan.socks && port === plan.socks.port) continue; // kept for the SOCKS5 listener
    let proxy: EgressProxy;
    try {
      proxy = await startEgressProxy({ ...base, listen: { host: plan.host, port } });
    } catch (error) {
      if (error instanceof EgressProxyError && error.code === "E_PROXY_LISTEN") {
        lastError = error;
        continue;
      }
      throw error;
    }
    const socksPort = plan.socks && proxy.socks && "port" in proxy.socks ? proxy.socks.port : null;
    const where = [authority(plan.host, port), ...(plan.socks ? [authority(plan.socks.host, plan.socks.port)] : [])].join(" and ");
    return {
      proxy,
      port,
      env: proxyVariables(plan, port, socksPort),
      denialLog() {
        const log = collector?.result() ?? { denials: [], limits: [] };
        return {
          denials: log.denials,
          limits: [
            `Network denials are the egress proxy's refusals on ${where}. The WFP filters confine only the sandbox user, so other local processes can connect to that loopback port during the run (NET-20); a refusal listed here may have been asked for by one of them.`,
            ...log.limits,
          ],
        };
      },
      close: () => proxy.close(),
    };
  }
  const range = low === high ? `port ${low}` : `ports ${low}-${high}`;
  throw new Error(`no loopback port for the egress proxy: ${range} (the range the sandbox user's WFP filters permit) could not be bound: ${(lastError as Error | undefined)?.message ?? "every port is reserved"}`);
}
