// Default resource and time limits of the proxy, and validation of caller-supplied ones.
import { EgressProxyError } from "./errors.js";
import type { ProxyLimits } from "./types.js";

/**
 * Stream buffer of every proxied socket, per direction. One libuv read is at most 64 KiB, so a
 * whole read fits without pausing the other side on every chunk; memory per tunnel stays bounded
 * at a few of these (pipe stops reading when the writer holds more).
 */
export const SOCKET_BUFFER_BYTES = 64 * 1024;

export type ResolvedLimits = { readonly [K in keyof ProxyLimits]-?: number };

/** Defaults: generous for real builds, small enough to bound memory and stop slow-loris clients. */
export const DEFAULT_LIMITS: ResolvedLimits = Object.freeze({
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  connectTimeoutMs: 10_000,
  maxConnections: 2048,
  maxDecisions: 1000,
});

/** Fills in defaults; throws E_PROXY_OPTIONS for a value that is not a positive integer. */
export function resolveLimits(limits: ProxyLimits | undefined): ResolvedLimits {
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits ?? {})) {
    if (!(key in DEFAULT_LIMITS)) throw new EgressProxyError("E_PROXY_OPTIONS", `limits.${key}: unknown limit`);
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      throw new EgressProxyError("E_PROXY_OPTIONS", `limits.${key}: must be a positive integer, got ${String(value)}`);
    }
    out[key] = value;
  }
  return out as ResolvedLimits;
}
