// --log-denials for the network: the egress proxy's refusals become Denial records
// ({ kind: "network", operation: "connect", target: "host:port", detail: reason }), de-duplicated and bounded.
import type { Denial } from "@cordon/policy-model";
import type { ProxyDecision } from "@cordon/egress-proxy";

/** Most distinct proxy denials kept for one run (memory stays bounded however chatty the command is). */
export const MAX_PROXY_DENIALS = 1000;

/** `host:port`, `[v6]:port`, or the host alone when the request named no port. */
export function proxyTarget(host: string, port: number | null): string {
  const name = host === "" ? "(no host)" : host.includes(":") ? `[${host}]` : host;
  return port === null ? name : `${name}:${port}`;
}

/** The Denial for a refused decision; null for an allowed one. */
export function denialFromDecision(decision: ProxyDecision): Denial | null {
  if (decision.decision !== "deny") return null;
  return { kind: "network", operation: "connect", target: proxyTarget(decision.host, decision.port), detail: decision.reason };
}

/** Collects a run's proxy denials in order, once per (target, reason). */
export class ProxyDenialCollector {
  readonly #seen = new Set<string>();
  readonly #denials: Denial[] = [];
  #dropped = 0;

  /** Pass as the proxy's `onDecision`. */
  readonly record = (decision: ProxyDecision): void => {
    const denial = denialFromDecision(decision);
    if (!denial) return;
    const key = `${denial.target}\u0000${denial.detail ?? ""}`;
    if (this.#seen.has(key)) return;
    if (this.#denials.length >= MAX_PROXY_DENIALS) {
      this.#dropped++;
      return;
    }
    this.#seen.add(key);
    this.#denials.push(denial);
  };

  /** The denials so far, and what the list cannot show. */
  result(): { denials: Denial[]; limits: string[] } {
    const limits = this.#dropped > 0 ? [`${this.#dropped} further network denials were not recorded (limit: ${MAX_PROXY_DENIALS} distinct)`] : [];
    return { denials: [...this.#denials], limits };
  }
}
