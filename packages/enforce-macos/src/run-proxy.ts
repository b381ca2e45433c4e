// One managed egress proxy per run (spec 5): started on loopback before the command, the plan re-aimed
// at its real ports (bindProxyPorts), denials collected, closed after the command. Platform-independent.
import { startEgressProxy, type EgressProxy, type ListenAddress, type Resolver } from "@cordon/egress-proxy";
import type { Denial, Refusal } from "@cordon/policy-model";
import { MacosLaunchError } from "./launch-error.js";
import { bindProxyPorts } from "./plan.js";
import { proxyEndpoints } from "./proxy-address.js";
import { ProxyDenialCollector } from "./proxy-denials.js";
import type { MacosPlan } from "./types.js";

export interface RunProxyOptions {
  /** Collect the proxy's refusals as Denial records. */
  readonly logDenials?: boolean;
  /** Host-side resolver (default: the system's); tests pass a fixed one. */
  readonly resolve?: Resolver;
  /** cordon's own environment: where the upstream proxy is read from (only with allow_upstream_proxy). */
  readonly hostEnv?: Readonly<Record<string, string | undefined>>;
}

/** A running proxy and the plan aimed at it. */
export interface RunProxy {
  /** The plan with the proxy's real ports bound (profile and environment). */
  readonly plan: MacosPlan;
  readonly proxy: EgressProxy;
  /** The proxy's refusals so far, and what that list cannot show. */
  denialLog(): { denials: Denial[]; limits: string[] };
  /** Stops the proxy and destroys every connection. Idempotent. */
  close(): Promise<void>;
}

/** The host's own proxy (HTTPS_PROXY first, as the egress proxy documents), or undefined. */
export function hostUpstreamProxy(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

function describeListen(address: ListenAddress): string {
  if ("unixSocket" in address) return `unix:${address.unixSocket}`;
  return address.host === "::1" ? `[::1]:${address.port}` : `${address.host}:${address.port}`;
}

function refusalText(refusals: readonly Refusal[]): string {
  return refusals.map((r) => `${r.rule}: ${r.reason}`).join("; ");
}

/**
 * Starts the run's egress proxy for a network-enabled sandbox-exec plan and binds the plan to it.
 * Throws MacosLaunchError (nothing left listening) when the proxy cannot start or the plan refuses.
 */
export async function startRunProxy(plan: MacosPlan, options: RunProxyOptions = {}): Promise<RunProxy> {
  const network = plan.inputs.policy.network;
  if (plan.mode !== "sandbox-exec" || !network.enabled) throw new MacosLaunchError("the plan does not enable the network; no egress proxy is needed");
  const refusals: Refusal[] = [];
  const endpoints = proxyEndpoints(network, refusals);
  if (endpoints === null) throw new MacosLaunchError(`cannot place the egress proxy: ${refusalText(refusals)}`);

  const collector = options.logDenials ? new ProxyDenialCollector() : null;
  const upstreamProxy = network.allowUpstreamProxy ? hostUpstreamProxy(options.hostEnv ?? process.env) : undefined;
  let proxy: EgressProxy;
  try {
    proxy = await startEgressProxy({
      network,
      listen: endpoints.http,
      ...(endpoints.socks ? { socksListen: endpoints.socks } : {}),
      ...(options.resolve ? { resolve: options.resolve } : {}),
      ...(upstreamProxy !== undefined ? { upstreamProxy } : {}),
      ...(collector ? { onDecision: collector.record } : {}),
    });
  } catch (error) {
    throw new MacosLaunchError(`could not start the egress proxy: ${(error as Error).message}`);
  }

  let bound: MacosPlan;
  try {
    bound = bindToProxy(plan, proxy, endpoints.socks !== null);
  } catch (error) {
    await proxy.close();
    throw error;
  }

  const where = [proxy.http, ...(endpoints.socks && proxy.socks ? [proxy.socks] : [])].map(describeListen).join(" and ");
  return {
    plan: bound,
    proxy,
    denialLog() {
      const log = collector?.result() ?? { denials: [], limits: [] };
      return {
        denials: log.denials,
        limits: [
          `Network denials are the egress proxy's refusals on ${where}. On macOS any local process can connect to that loopback port during the run (NET-20), so a refusal listed here may have been asked for by another process.`,
          ...log.limits,
        ],
      };
    },
    close: () => proxy.close(),
  };
}

/** The plan aimed at the proxy's real ports: its main listener, then the separate SOCKS5 one. */
function bindToProxy(plan: MacosPlan, proxy: EgressProxy, separateSocks: boolean): MacosPlan {
  const ports = [portOf(proxy.http)];
  if (separateSocks && proxy.socks) ports.push(portOf(proxy.socks));
  const bound = bindProxyPorts(plan, ports);
  if (!bound.ok) throw new MacosLaunchError(`refusing to run with the egress proxy on port ${ports.join(", ")}: ${refusalText(bound.refusal)}`);
  return bound.plan;
}

function portOf(address: ListenAddress): number {
  if ("unixSocket" in address) throw new MacosLaunchError("the egress proxy must listen on a loopback TCP port on macOS");
  return address.port;
}
