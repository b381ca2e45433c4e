// Pure host decisions (spec 5): what the proxy allows for a requested host, and again for the
// address it actually connects to. No DNS here: resolution is the proxy's job.
import { formatOrigin } from "../origin.js";
import type { DomainRule, HostDecision, HostDecisionReason, NetworkPolicy } from "../resolved-policy.js";
import { isNonPublicIp, parseIp, formatIp } from "./address.js";
import { isLocalhostName, normalizeHost } from "./host.js";
import { denyPatternMatches, patternKind, patternMatches, patternSpecificity } from "./patterns.js";

/**
 * Decides whether the sandbox may reach `host` (as a client sent it: any case, trailing dot,
 * brackets, `host:port`, any IP literal spelling). In order: network disabled → deny; invalid host
 * → deny; a matching deny pattern → deny; a local or private literal (`localhost`, `*.localhost`,
 * loopback/private/link-local/... IPs) → allowed only by an exact pattern equal to it (wildcards
 * and `*` never open it); `limited` → allowed only by a matching allow pattern; `full` → allowed.
 */
export function decideHost(network: NetworkPolicy, host: string, port?: number): HostDecision {
  const normalized = normalizeHost(host);
  const explicitPort = port === undefined ? null : port;
  if (!network.enabled) {
    return result(normalized?.host ?? host, explicitPort ?? normalized?.port ?? null, "network_disabled",
      "network is disabled for this profile (network.enabled = false)");
  }
  if (normalized === null || (explicitPort !== null && !isValidPort(explicitPort))) {
    return result(host, explicitPort, "invalid_host", `${JSON.stringify(host)} is not a valid host name, IP address or port`);
  }
  const h = normalized.host;
  const p = explicitPort ?? normalized.port;

  const deny = mostSpecificMatch(network.domains, "deny", h);
  if (deny) return result(h, p, "denied", `denied by ${describeRule(deny)}`, deny);

  if (isLocalTarget(h)) {
    const exact = network.domains.find((r) => r.decision === "allow" && patternKind(r.pattern).kind === "exact" && r.pattern === h);
    if (exact) return result(h, p, "allowed", `allowed by exact ${describeRule(exact)}`, exact);
    return result(h, p, "not_allowed_local",
      `${JSON.stringify(h)} is a local or private target; only an exact "${h}" = "allow" entry opens it (wildcards never do)`);
  }

  const allow = mostSpecificMatch(network.domains, "allow", h);
  if (allow) return result(h, p, "allowed", `allowed by ${describeRule(allow)}`, allow);
  if (network.mode === "full") return result(h, p, "allowed", 'mode = "full" allows every host that no deny pattern matches');
  return result(h, p, "not_allowed", `no allow pattern matches ${JSON.stringify(h)} (mode = "limited" allows only listed domains)`);
}

/**
 * The connect-time check the proxy makes on the address it actually connects to (after its own
 * DNS resolution), given the decision for the requested host. Stops DNS rebinding: an allowed
 * name that resolves to a local or private address is denied unless `allow_local_binding` is true
 * or an exact allow pattern lists that address (or listed the requested local name itself, e.g.
 * `localhost`). An address that a deny pattern lists exactly is denied. A denied host stays denied;
 * an address that is not an IP literal is denied (fail closed).
 */
export function decideResolvedAddress(network: NetworkPolicy, hostDecision: HostDecision, address: string): HostDecision {
  if (hostDecision.decision === "deny") return hostDecision;
  const parsed = parseIp(address);
  const port = hostDecision.port;
  if (parsed === null) {
    return result(address, port, "invalid_host", `${JSON.stringify(address)} (resolved from ${JSON.stringify(hostDecision.host)}) is not an IP address`);
  }
  const ip = formatIp(parsed);
  const via = ip === hostDecision.host ? "" : ` (resolved from ${JSON.stringify(hostDecision.host)})`;
  const deny = mostSpecificMatch(network.domains, "deny", ip);
  if (deny) return result(ip, port, "denied", `address ${ip}${via} denied by ${describeRule(deny)}`, deny);
  if (!isNonPublicIp(parsed)) return hostDecision;

  const exactAddress = network.domains.find((r) => r.decision === "allow" && r.pattern === ip);
  if (exactAddress) return result(ip, port, "allowed", `address ${ip}${via} allowed by exact ${describeRule(exactAddress)}`, exactAddress);
  const m = hostDecision.matched;
  if (m && m.decision === "allow" && m.pattern === hostDecision.host && isLocalTarget(hostDecision.host)) {
    return result(ip, port, "allowed", `address ${ip}${via} allowed by exact ${describeRule(m)}`, m);
  }
  if (network.allowLocalBinding) {
    return result(ip, port, "allowed", `address ${ip}${via} is local or private; allowed because allow_local_binding = true`, hostDecision.matched);
  }
  return result(ip, port, "not_allowed_local",
    `address ${ip}${via} is local or private; denied because allow_local_binding = false and no exact "${ip}" = "allow" entry lists it`);
}

/** `localhost`, `*.localhost`, and IP literals that are not public unicast. Expects a normalized host. */
export function isLocalTarget(host: string): boolean {
  if (isLocalhostName(host)) return true;
  const ip = parseIp(host);
  return ip !== null && isNonPublicIp(ip);
}

function mostSpecificMatch(rules: readonly DomainRule[], decision: "allow" | "deny", host: string): DomainRule | undefined {
  let best: DomainRule | undefined;
  for (const rule of rules) {
    if (rule.decision !== decision) continue;
    const matches = decision === "deny" ? denyPatternMatches(rule.pattern, host) : patternMatches(rule.pattern, host);
    if (!matches) continue;
    if (!best || patternSpecificity(rule.pattern) > patternSpecificity(best.pattern)) best = rule;
  }
  return best;
}

/** `domain pattern "*.example.com" = "allow" (/etc/cordon/config.toml:12)`. */
export function describeRule(rule: DomainRule): string {
  return `domain pattern ${JSON.stringify(rule.pattern)} = ${JSON.stringify(rule.decision)} (${formatOrigin(rule.origin)})`;
}

function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function result(
  host: string,
  port: number | null,
  reason: HostDecisionReason,
  rule: string,
  matched?: DomainRule,
): HostDecision {
  const decision = reason === "allowed" ? "allow" : "deny";
  return matched ? { host, port, decision, reason, rule, matched } : { host, port, decision, reason, rule };
}
