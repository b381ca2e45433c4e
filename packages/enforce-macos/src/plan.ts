// planFor: pure planning from a ResolvedPolicy, a command and host facts to a sandbox-exec argv.
import type { CommandSpec, PlanResult, Refusal, ResolvedPolicy } from "@cordon/policy-model";
import { generateProfile } from "./profile.js";
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
  const proxyPorts = facts.proxyPorts ?? configuredProxyPorts(policy, refusals);
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
      env: { ...command.env, ...(enabled && bound.length > 0 ? proxyEnvironment(policy.network, [...new Set(proxyPorts)]) : {}) },
      network: { enabled, proxyPorts: bound, awaitingProxy: enabled && bound.length === 0 },
      logTag: facts.logTag ?? DEFAULT_LOG_TAG,
      limits: STANDING_LIMITS,
      inputs: { policy, command, facts },
    },
  };
}

/**
 * Re-plans with the ports the egress proxy actually listens on (HTTP first, then SOCKS5), adding the
 * proxy variables to the environment. The proxy is started by whoever owns it; this only aims the
 * sandbox at it.
 */
export function bindProxyPorts(plan: MacosPlan, ports: readonly number[]): PlanResult<MacosPlan> {
  const { policy, command, facts } = plan.inputs;
  return planFor(policy, command, { ...facts, proxyPorts: ports });
}

/** Ports fixed in `proxy_url`/`socks_url` (0 = chosen when the proxy starts, so not known yet). */
function configuredProxyPorts(policy: ResolvedPolicy, refusals: Refusal[]): number[] {
  if (!policy.network.enabled) return [];
  const urls = [policy.network.proxyUrl, ...(policy.network.enableSocks5 ? [policy.network.socksUrl] : [])];
  const ports: number[] = [];
  for (const text of urls) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      refusals.push({ rule: `proxy address ${text}`, reason: "not a URL" });
      continue;
    }
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    if (host !== "127.0.0.1" && host !== "localhost" && host !== "::1") {
      refusals.push({
        rule: `proxy address ${text}`,
        reason: "Seatbelt can only limit outbound connections to loopback ports (remote ip \"localhost:PORT\"); the managed proxy must listen on 127.0.0.1, ::1 or localhost",
      });
      continue;
    }
    const port = url.port === "" ? 0 : Number(url.port);
    if (port > 0) ports.push(port);
  }
  return ports;
}
