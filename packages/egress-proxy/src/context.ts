// What every request handler needs: the policy check context plus limits, the socket registry and
// the optional upstream proxy; and the one place that opens an upstream connection for a target.
import type net from "node:net";
import type { CheckContext } from "./check-target.js";
import { ConnectFailure, connectToAddresses } from "./connect.js";
import type { ResolvedLimits } from "./limits.js";
import type { SocketRegistry } from "./socket-registry.js";
import { connectViaUpstream, type UpstreamProxy } from "./upstream.js";

export interface ProxyContext extends CheckContext {
  readonly limits: ResolvedLimits;
  readonly registry: SocketRegistry;
  /** Set only when the policy allows chaining and the caller supplied an upstream proxy. */
  readonly upstream: UpstreamProxy | undefined;
}

/**
 * A raw byte stream to `port` on one of the checked `addresses`: a direct TCP connection, or a
 * CONNECT tunnel through the upstream proxy (which is given the checked address, not the name).
 */
export async function openTunnel(ctx: ProxyContext, addresses: readonly string[], port: number): Promise<net.Socket> {
  const upstream = ctx.upstream;
  if (!upstream) return connectToAddresses(addresses, port, ctx.limits.connectTimeoutMs, ctx.registry);
  let last: ConnectFailure | undefined; // built lazily: an Error captures a stack trace
  for (const address of addresses) {
    try {
      return await connectViaUpstream(upstream, address, port, ctx.limits.connectTimeoutMs, ctx.registry);
    } catch (err) {
      last = err instanceof ConnectFailure ? err : new ConnectFailure("EUNKNOWN", String(err));
      if (ctx.registry.closed) break;
    }
  }
  throw last ?? new ConnectFailure("ENOADDR", "no address to connect to");
}
