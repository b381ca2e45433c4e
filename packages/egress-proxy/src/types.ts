// Public types of @cordon/egress-proxy: options, listen addresses, limits and recorded decisions.
import type { HostDecisionReason, NetworkPolicy } from "@cordon/policy-model";

/**
 * Where a proxy endpoint listens. A unix socket (mode 0600 inside a directory only the current user
 * can enter) or a loopback TCP port; never a routable interface, so nothing else can use the proxy
 * (threat NET-20). Port 0 picks an ephemeral port.
 */
export type ListenAddress =
  | { readonly unixSocket: string }
  | { readonly host: "127.0.0.1" | "::1"; readonly port: number };

/** Resolves a host name to every address it has (A and AAAA), as IP literal strings. */
export type Resolver = (host: string) => Promise<string[]>;

/** Bounds on resources and time. Every field is optional; see `DEFAULT_LIMITS` for the defaults. */
export interface ProxyLimits {
  /** Request line plus headers of one HTTP request, in bytes (answered with 431 when exceeded). */
  readonly maxHeaderBytes?: number;
  /** Time a client has to send its complete request head, or its SOCKS5 handshake (slow-loris). */
  readonly headersTimeoutMs?: number;
  /** A tunnel or forwarded request with no traffic in either direction for this long is closed. */
  readonly idleTimeoutMs?: number;
  /** Time to resolve a name and open the upstream TCP connection. */
  readonly connectTimeoutMs?: number;
  /** Client connections open at once; further connections are closed immediately. */
  readonly maxConnections?: number;
  /** Decisions kept in `EgressProxy.decisions` (oldest dropped first). */
  readonly maxDecisions?: number;
}

/** Options of `startEgressProxy`. */
export interface EgressProxyOptions {
  /** The resolved network policy (`ResolvedPolicy.network`). */
  readonly network: NetworkPolicy;
  /**
   * The main endpoint: HTTP CONNECT and absolute-form HTTP forwarding, and also SOCKS5 when
   * `network.enableSocks5` (the first byte 0x05 selects SOCKS5 on this one listener).
   */
  readonly listen: ListenAddress;
  /** An extra SOCKS5-only endpoint (ignored unless `network.enableSocks5`). */
  readonly socksListen?: ListenAddress;
  /** Host-side resolver; default: `dns.lookup(host, { all: true, verbatim: true })`. */
  readonly resolve?: Resolver;
  /**
   * The host's own proxy (`http://[user:pass@]host:port`, from HTTPS_PROXY/HTTP_PROXY). Used only
   * when `network.allowUpstreamProxy` is true, and only after this proxy allowed the target.
   */
  readonly upstreamProxy?: string;
  /** Called synchronously for every decision (for `--log-denials`); exceptions are swallowed. */
  readonly onDecision?: (decision: ProxyDecision) => void;
  readonly limits?: ProxyLimits;
}

/** How a request reached the proxy. */
export type ProxyProtocol = "http" | "connect" | "socks5" | "socks5-udp";

/**
 * Why a request was allowed or refused: the policy's reasons (`decideHost`/`decideResolvedAddress`)
 * plus the proxy's own: `proxy_self` (the target is this proxy, NET-13), `invalid_request`
 * (malformed target: userinfo, bad port, Host header not matching the URI, origin-form, …) and
 * `command_not_supported` (SOCKS5 BIND, or UDP ASSOCIATE when `enable_socks5_udp` is false).
 */
export type ProxyDecisionReason = HostDecisionReason | "proxy_self" | "invalid_request" | "command_not_supported";

/** One recorded decision. */
export interface ProxyDecision {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly protocol: ProxyProtocol;
  /** The normalized target host (the raw text when it could not be normalized). */
  readonly host: string;
  readonly port: number | null;
  readonly decision: "allow" | "deny";
  readonly reason: ProxyDecisionReason;
  /** Human-readable explanation: the rule that decided, with its origin. */
  readonly rule: string;
  /**
   * Allow: every checked address the proxy may connect to (it connects to one of exactly these).
   * Deny after resolution: the resolved address that was refused. Deny before resolution: empty —
   * no DNS lookup was made for the name.
   */
  readonly addresses: readonly string[];
}

/** A running proxy. */
export interface EgressProxy {
  /** The main endpoint (actual port when 0 was asked). */
  readonly http: ListenAddress;
  /** Where SOCKS5 is served: `socksListen`'s address, or `http` itself; absent when SOCKS5 is off. */
  readonly socks?: ListenAddress;
  /** A snapshot of the most recent decisions, oldest first (at most `limits.maxDecisions`). */
  readonly decisions: readonly ProxyDecision[];
  /** Client and upstream sockets currently open (for leak checks and diagnostics). */
  readonly openSockets: number;
  /** Stops listening and destroys every open connection. Idempotent. */
  close(): Promise<void>;
}
