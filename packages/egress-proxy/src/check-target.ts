// The proxy's decision for one target: policy on the requested host BEFORE any DNS lookup (NET-05),
// then host-side resolution and a check of EVERY resolved address (NET-11), then self-targets (NET-13).
// The allowed outcome carries the exact addresses that were checked; callers connect only to those.
import { decideHost, decideResolvedAddress, parseIpLiteral, type NetworkPolicy } from "@cordon/policy-model";
import type { DecisionLog } from "./decision-log.js";
import type { ProxyDecision, ProxyDecisionReason, ProxyProtocol, Resolver } from "./types.js";

export interface CheckContext {
  readonly network: NetworkPolicy;
  readonly resolve: Resolver;
  readonly resolveTimeoutMs: number;
  readonly log: DecisionLog;
  /** True when address:port is one of this proxy's own listeners. */
  readonly isSelf: (address: string, port: number) => boolean;
}

export type CheckOutcome =
  | { readonly kind: "allow"; readonly host: string; readonly port: number; readonly addresses: readonly string[] }
  | { readonly kind: "deny"; readonly decision: ProxyDecision }
  | { readonly kind: "unresolved"; readonly host: string; readonly port: number; readonly detail: string };

/** Decides, resolves and re-checks a target; records exactly one decision unless resolution failed. */
export async function checkTarget(ctx: CheckContext, protocol: ProxyProtocol, rawHost: string, port: number): Promise<CheckOutcome> {
  const hostDecision = decideHost(ctx.network, rawHost, port);
  if (hostDecision.decision === "deny") {
    return deny(ctx, protocol, hostDecision.host, port, hostDecision.reason, hostDecision.rule, []);
  }
  const host = hostDecision.host;
  const literal = parseIpLiteral(host);
  let addresses: string[];
  if (literal !== null) {
    addresses = [literal];
  } else {
    const resolved = await resolveWithTimeout(ctx, host);
    if (typeof resolved === "string") return { kind: "unresolved", host, port, detail: resolved };
    addresses = resolved;
  }
  const checked: string[] = [];
  for (const address of addresses) {
    const d = decideResolvedAddress(ctx.network, hostDecision, address);
    if (d.decision === "deny") return deny(ctx, protocol, host, port, d.reason, d.rule, [d.host]);
    // decideResolvedAddress canonicalizes; connect to that canonical spelling (an IP, never a name).
    const canonical = parseIpLiteral(address);
    if (canonical === null) return deny(ctx, protocol, host, port, "invalid_host", `resolver returned ${JSON.stringify(address)}`, [address]);
    if (ctx.isSelf(canonical, port)) {
      return deny(ctx, protocol, host, port, "proxy_self", `${canonical}:${port} is this proxy itself; requests through it to itself are refused`, [canonical]);
    }
    if (!checked.includes(canonical)) checked.push(canonical);
  }
  ctx.log.record({ time: Date.now(), protocol, host, port, decision: "allow", reason: "allowed", rule: hostDecision.rule, addresses: checked });
  return { kind: "allow", host, port, addresses: checked };
}

/** Records a refusal made by the proxy itself (malformed request, unsupported command). */
export function recordRefusal(
  log: DecisionLog,
  protocol: ProxyProtocol,
  host: string,
  port: number | null,
  reason: ProxyDecisionReason,
  rule: string,
): ProxyDecision {
  const decision: ProxyDecision = { time: Date.now(), protocol, host, port, decision: "deny", reason, rule, addresses: [] };
  log.record(decision);
  return decision;
}

function deny(
  ctx: CheckContext,
  protocol: ProxyProtocol,
  host: string,
  port: number,
  reason: ProxyDecisionReason,
  rule: string,
  addresses: string[],
): CheckOutcome {
  const decision: ProxyDecision = { time: Date.now(), protocol, host, port, decision: "deny", reason, rule, addresses };
  ctx.log.record(decision);
  return { kind: "deny", decision };
}

/** The resolver's addresses, or a failure text (error, timeout, no address). */
async function resolveWithTimeout(ctx: CheckContext, host: string): Promise<string[] | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`resolving ${host} timed out`), ctx.resolveTimeoutMs);
  });
  try {
    const result = await Promise.race([
      // A resolver that throws synchronously is treated like one that rejects.
      Promise.resolve()
        .then(() => ctx.resolve(host))
        .then(
        (list) => (Array.isArray(list) && list.length > 0 ? list.map(String) : `${host} has no addresses`),
        (err: unknown) => `resolving ${host} failed: ${(err as { code?: string }).code ?? String(err)}`,
      ),
      timeout,
    ]);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
