// planFor: pure planning from a ResolvedPolicy, a command and host facts to a sandbox-exec argv.
import type { CommandSpec, PlanResult, Refusal, ResolvedPolicy } from "@cordon/policy-model";
import { generateProfile } from "./profile.js";
import { fixedProxyPorts, proxyEndpoints } from "./proxy-address.js";
import { proxyEnvironment } from "./proxy-env.js";
import { canonicalizerFrom } from "./spellings.js";
import type { MacosHostFacts, MacosPlan } from "./types.js";

/** Denial tag when the facts name none (pure plans); `plan()` uses a fresh tag per run. */
export const DEFAULT_LOG_TAG = "cordon-sandbox";

/** Only this binary is used: a sandbox-exec found on PATH could be anyone's. */
export const SANDBOX_EXEC = "/usr/bin/sandbox-exec";

/** Limits every macOS plan has; reported with the plan. */
const STANDING_LIMITS = [
  "Hard links to files that exist outside the sandbox's view are not detected (Seatbelt rules are path-based).",
  "Binding or accepting network connections is never allowed, even on loopback (macOS has no private network namespace).",
  "A deny-glob match created by another (unsandboxed) process during the run can be moved away by renaming its directory; matches that existed at launch and everything the sandbox creates are covered.",
];

/** Said with every network-enabled plan (NET-20): what a loopback TCP proxy port means on macOS. */
export const SHARED_PROXY_PORT_LIMIT =
  "The egress proxy listens on a loopback TCP port (a fresh ephemeral port per run unless proxy_url/socks_url fix one). macOS has no per-process network namespace and a loopback TCP listener cannot tell which user or process connected, so other local processes can reach the proxy during the run and get this profile's network rules; its decision log then includes their requests (NET-20).";

/** Plans the command; refuses (with every reason) what the profile cannot express. */
export function planFor(policy: ResolvedPolicy, command: CommandSpec, facts: MacosHostFacts = {}): PlanResult<MacosPlan> {
  const refusals: Refusal[] = [];
  if (policy.platform !== "macos") {
    refusals.push({ rule: `platform ${policy.platform}`, reason: "the policy was resolved for another platform; resolve it with platform \"macos\"" });
  }
  if (command.argv.length === 0) refusals.push({ rule: "command", reason: "no command to run" });

  if (policy.unrestricted) {
    if (refusals.length > 0) return { ok: false, refusal: refusals };
    return {
      ok: true,
      plan: {
        mode: "unsandboxed",
        argv: [...command.argv],
        profile: null,
        params: {},
        cwd: command.cwd,
        env: { ...command.env },
        network: { enabled: true, proxyPorts: [], awaitingProxy: false },
        logTag: "",
        limits: [":danger-full-access: the command runs without any sandbox."],
        inputs: { policy, command, facts },
      },
    };
  }

  if (facts.logTag !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(facts.logTag)) {
    refusals.push({ rule: "denial log tag", reason: "must be 1-64 letters, digits or '-'" });
  }
  const endpoints = proxyEndpoints(policy.network, refusals);
  const proxyPorts = facts.proxyPorts ?? (endpoints ? (fixedProxyPorts(endpoints) ?? []) : []);
  const generated = generateProfile(policy, {
    canonical: canonicalizerFrom(facts.canonicalPaths),
    proxyPorts: policy.network.enabled ? proxyPorts : [],
    denyGlobMatches: facts.denyGlobMatches ?? [],
    logTag: facts.logTag ?? DEFAULT_LOG_TAG,
  });
  refusals.push(...generated.refusals);
  if (refusals.length > 0) return { ok: false, refusal: refusals };

  const params = Object.fromEntries(generated.params);
  const argv = [SANDBOX_EXEC, "-p", generated.profile];
  for (const [name, value] of generated.params) argv.push("-D", `${name}=${value}`);
  argv.push("--", ...command.argv);
  const enabled = policy.network.enabled;
  const bound = enabled ? [...new Set(proxyPorts)].sort((a, b) => a - b) : [];
  return {
    ok: true,
    plan: {
      mode: "sandbox-exec",
      argv,
      profile: generated.profile,
      params,
      cwd: command.cwd,
      // Environment keeps the given order: the first port is the HTTP proxy, the second SOCKS5.
      env: { ...command.env, ...(enabled && bound.length > 0 ? proxyEnvironment(policy.network, [...new Set(proxyPorts)], endpoints?.http.host) : {}) },
      network: { enabled, proxyPorts: bound, awaitingProxy: enabled && bound.length === 0 },
      logTag: facts.logTag ?? DEFAULT_LOG_TAG,
      limits: enabled ? [...STANDING_LIMITS, SHARED_PROXY_PORT_LIMIT] : STANDING_LIMITS,
      inputs: { policy, command, facts },
    },
  };
}

/**
 * Re-plans with the ports the egress proxy actually listens on (its main listener first, then a
 * separate SOCKS5 listener if any), adding the proxy variables to the environment. Pure: launch()
 * starts the run's proxy and calls this with its real ports; this only aims the sandbox at them.
 */
export function bindProxyPorts(plan: MacosPlan, ports: readonly number[]): PlanResult<MacosPlan> {
  const { policy, command, facts } = plan.inputs;
  return planFor(policy, command, { ...facts, proxyPorts: ports });
}
