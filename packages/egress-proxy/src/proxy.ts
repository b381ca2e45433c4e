// startEgressProxy: wires listeners, protocol sniffing (first byte 0x05 = SOCKS5, else HTTP),
// the decision log and the socket registry into one proxy per run.
import dns from "node:dns";
import type net from "node:net";
import type { NetworkPolicy } from "@cordon/policy-model";
import type { ProxyContext } from "./context.js";
import { recordRefusal } from "./check-target.js";
import { DecisionLog } from "./decision-log.js";
import { EgressProxyError } from "./errors.js";
import { createHttpFrontend, type HttpFrontend } from "./http-frontend.js";
import { resolveLimits } from "./limits.js";
import { openListener, validateListenAddress, type OpenListener } from "./listener.js";
import { endAndDestroy } from "./responses.js";
import { selfTargetCheck } from "./self-target.js";
import { SocketRegistry } from "./socket-registry.js";
import { handleSocksConnection } from "./socks5/server.js";
import { parseUpstreamProxy } from "./upstream.js";
import type { EgressProxy, EgressProxyOptions, ListenAddress, Resolver } from "./types.js";

/** The host's resolver: every A and AAAA record, in the order the system returns them. */
export const systemResolver: Resolver = async (host) => {
  const records = await dns.promises.lookup(host, { all: true, verbatim: true });
  return records.map((r) => r.address);
};

interface Endpoint {
  readonly http: boolean;
  readonly socks: boolean;
  readonly overUnixSocket: boolean;
}

/**
 * Starts the managed egress proxy for one run. The main listener serves HTTP CONNECT and
 * absolute-form HTTP, and SOCKS5 too when `network.enableSocks5` (selected by the first byte,
 * 0x05); `socksListen` adds a SOCKS5-only listener. Every target is decided by the policy before
 * any DNS lookup, every resolved address is checked, and the proxy connects only to a checked
 * address. Throws EgressProxyError (E_PROXY_OPTIONS, E_PROXY_LISTEN) when it cannot start safely.
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const network = validateNetwork(options.network);
  const listen = validateListenAddress("listen", options.listen);
  const socksListen =
    options.socksListen === undefined || !network.enableSocks5 ? undefined : validateListenAddress("socksListen", options.socksListen);
  const limits = resolveLimits(options.limits);
  // The upstream proxy is only ever used when the policy allows chaining (least privilege).
  const upstream =
    network.allowUpstreamProxy && options.upstreamProxy !== undefined && options.upstreamProxy !== ""
      ? parseUpstreamProxy(options.upstreamProxy)
      : undefined;
  if (options.resolve !== undefined && typeof options.resolve !== "function") {
    throw new EgressProxyError("E_PROXY_OPTIONS", "resolve must be a function (host) => Promise<string[]>");
  }

  const registry = new SocketRegistry();
  const log = new DecisionLog(limits.maxDecisions, options.onDecision);
  const selfPorts = new Set<number>();
  const ctx: ProxyContext = {
    network,
    resolve: options.resolve ?? systemResolver,
    resolveTimeoutMs: limits.connectTimeoutMs,
    log,
    isSelf: selfTargetCheck(selfPorts),
    limits,
    registry,
    upstream,
  };
  const httpFrontend = createHttpFrontend(ctx);

  const listeners: OpenListener[] = [];
  const closeListeners = async (): Promise<void> => {
    registry.destroyAll();
    await Promise.all(listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))));
  };
  const open = async (address: ListenAddress, endpoint: Omit<Endpoint, "overUnixSocket">): Promise<ListenAddress> => {
    const full: Endpoint = { ...endpoint, overUnixSocket: "unixSocket" in address };
    const l = await openListener(address, limits.maxConnections, (socket) => accept(ctx, httpFrontend, socket, full));
    listeners.push(l);
    if ("port" in l.address) selfPorts.add(l.address.port);
    return l.address;
  };

  let httpAddress: ListenAddress;
  let socksAddress: ListenAddress | undefined;
  try {
    httpAddress = await open(listen, { http: true, socks: network.enableSocks5 });
    socksAddress = socksListen ? await open(socksListen, { http: false, socks: true }) : network.enableSocks5 ? httpAddress : undefined;
  } catch (err) {
    await closeListeners();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const proxy: EgressProxy = {
    http: httpAddress,
    ...(socksAddress ? { socks: socksAddress } : {}),
    get decisions() {
      return log.snapshot();
    },
    get openSockets() {
      return registry.size;
    },
    close() {
      closing ??= closeListeners();
      return closing;
    },
  };
  return proxy;
}

/** Reads the first byte of a new connection and hands it to SOCKS5 or HTTP. */
function accept(ctx: ProxyContext, httpFrontend: HttpFrontend, socket: net.Socket, endpoint: Endpoint): void {
  if (!ctx.registry.add(socket)) return;
  socket.on("error", () => socket.destroy());
  const firstByteDeadline = setTimeout(() => socket.destroy(), ctx.limits.headersTimeoutMs);
  socket.once("close", () => clearTimeout(firstByteDeadline));
  const onEndBeforeData = (): void => {
    socket.destroy();
  };
  socket.once("end", onEndBeforeData);
  socket.once("data", (chunk: Buffer) => {
    clearTimeout(firstByteDeadline);
    socket.off("end", onEndBeforeData);
    socket.pause();
    socket.unshift(chunk);
    const first = chunk[0];
    if (first === 0x05) {
      if (endpoint.socks) return handleSocksConnection(ctx, socket, { overUnixSocket: endpoint.overUnixSocket });
      recordRefusal(ctx.log, "socks5", "", null, "command_not_supported", "SOCKS5 is off (network.enable_socks5 = false)");
      return endAndDestroy(socket, Buffer.from([0x05, 0xff]));
    }
    if (first === 0x04) {
      // SOCKS4/4a: no IPv6, no auth negotiation; never served. Reply "request rejected".
      return endAndDestroy(socket, Buffer.from([0x00, 0x5b, 0, 0, 0, 0, 0, 0]));
    }
    if (endpoint.http) return httpFrontend.accept(socket);
    endAndDestroy(socket, Buffer.from([0x05, 0xff]));
  });
  socket.resume();
}

/** Minimal shape check of the policy (it normally comes from resolvePolicy, already validated). */
function validateNetwork(network: NetworkPolicy): NetworkPolicy {
  if (!network || typeof network !== "object" || !Array.isArray(network.domains)) {
    throw new EgressProxyError("E_PROXY_OPTIONS", "network must be a NetworkPolicy (ResolvedPolicy.network)");
  }
  for (const key of ["enabled", "allowLocalBinding", "enableSocks5", "enableSocks5Udp", "allowUpstreamProxy"] as const) {
    if (typeof network[key] !== "boolean") throw new EgressProxyError("E_PROXY_OPTIONS", `network.${key} must be a boolean`);
  }
  if (network.mode !== "limited" && network.mode !== "full") {
    throw new EgressProxyError("E_PROXY_OPTIONS", 'network.mode must be "limited" or "full"');
  }
  return network;
}
