// Network part of the plan: which sandbox user runs the command and the WFP filters that jail it.
//
// Windows Firewall *rules* do not apply to loopback traffic, so "only the proxy's loopback port" is
// enforced with WFP filters at the ALE connect/accept layers, matched on the sandbox user
// (FWPM_CONDITION_ALE_USER_ID). `cordon setup windows` installs them persistently for two users:
// offline (everything blocked, loopback included) and online (only TCP to 127.0.0.1/::1 in a fixed
// proxy port range). A fixed range means no run ever needs administrator rights again.
import type { NetworkPolicy, Refusal } from "@cordon/policy-model";
import type { Principal, SetupState } from "./facts.js";
import { MESSAGES, type WindowsMode } from "./messages.js";
import type { FirewallFilter } from "./plan-types.js";
import { planProxyListen, type ProxyListenPlan } from "./proxy-listen.js";

export interface NetworkPlanResult {
  readonly user: Principal | null;
  readonly proxyPortRange: readonly [number, number] | null;
  /** Where launch() starts the egress proxy (network on and planned), else null. */
  readonly proxy: ProxyListenPlan | null;
  readonly firewall: FirewallFilter[];
  readonly refusals: Refusal[];
  readonly notes: string[];
}

/** The filters setup installs for one sandbox user (listed in every plan that runs as that user). */
export function filtersFor(user: Principal, proxyPortRange: readonly [number, number] | null): FirewallFilter[] {
  const filters: FirewallFilter[] = [];
  if (proxyPortRange) {
    for (const remoteAddress of ["127.0.0.1", "::1"] as const) {
      filters.push({
        userSid: user.sid,
        direction: "outbound",
        action: "permit",
        protocol: "tcp",
        remoteAddress,
        remotePorts: proxyPortRange,
        description: `connect to the egress proxy on ${remoteAddress} ports ${proxyPortRange[0]}-${proxyPortRange[1]}`,
      });
    }
  }
  filters.push(
    { userSid: user.sid, direction: "outbound", action: "block", protocol: "any", remoteAddress: "any", remotePorts: null, description: "every other connection, loopback included" },
    { userSid: user.sid, direction: "inbound", action: "block", protocol: "any", remoteAddress: "any", remotePorts: null, description: "accepting connections (listening sockets)" },
  );
  return filters;
}

/** Said with every network-enabled plan (NET-20): who else can reach the proxy's loopback port. */
export const SHARED_PROXY_PORT_NOTE =
  "the egress proxy listens on a loopback TCP port of the setup's range; the WFP filters confine the sandbox user, not other local users or processes, so they can reach the proxy during the run and get this profile's network rules (NET-20)";

/** Chooses the sandbox user for the network policy (and where its proxy listens), or refuses. */
export function planNetwork(mode: WindowsMode, network: NetworkPolicy, setup: SetupState | null): NetworkPlanResult {
  const rule = `network.enabled = ${network.enabled}`;
  const notes: string[] = [];
  if (network.allowLocalBinding) notes.push("network.allow_local_binding = true is not honoured: the sandbox user's filters block listening and loopback connections other than the proxy (stricter than the profile)");
  if (network.enabled && network.enableSocks5Udp) notes.push("network.enable_socks5_udp = true is not honoured: the filters permit only TCP to the proxy (stricter than the profile)");
  if (mode === "unelevated" || setup === null) return { user: null, proxyPortRange: null, proxy: null, firewall: [], refusals: [{ rule, reason: MESSAGES.unelevatedNetwork }], notes };
  if (network.enabled) {
    const range = setup.firewall.proxyPortRange;
    if (!setup.firewall.onlineFilters || range === null) return { user: null, proxyPortRange: null, proxy: null, firewall: [], refusals: [{ rule, reason: MESSAGES.elevatedNoOnlineFirewall }], notes };
    const refusals: Refusal[] = [];
    const proxy = planProxyListen(network, range, refusals);
    notes.push(SHARED_PROXY_PORT_NOTE);
    return { user: setup.onlineUser, proxyPortRange: range, proxy, firewall: filtersFor(setup.onlineUser, range), refusals, notes };
  }
  if (!setup.firewall.offlineFilters) return { user: null, proxyPortRange: null, proxy: null, firewall: [], refusals: [{ rule, reason: MESSAGES.elevatedNoOfflineFirewall }], notes };
  return { user: setup.offlineUser, proxyPortRange: null, proxy: null, firewall: filtersFor(setup.offlineUser, null), refusals: [], notes };
}
