// planFor: the pure Linux planner. Picks the mode from the host facts and returns a plan or a refusal.
import type { CommandSpec, PlanResult, ResolvedPolicy } from "@cordon/policy-model";
import type { LinuxHostFacts, LinuxPlan } from "../types.js";
import { commonRefusals } from "./common-refusals.js";
import { planBwrap } from "./plan-bwrap.js";
import { planLandlockOnly } from "./plan-landlock-only.js";

/** A typical Linux host with every capability present (`cordon plan --platform linux` on another OS). */
export const TYPICAL_HOST_FACTS: LinuxHostFacts = {
  bwrap: { path: "/usr/bin/bwrap", version: "unknown" },
  userNamespaces: true,
  landlockAbi: 7,
  seccomp: true,
  execHelper: "/usr/lib/node_modules/@cordon/enforce-linux/build/Release/cordon-exec",
  uid: 1000,
  runtimeDir: "/run/user/1000/cordon",
  paths: {},
  canonical: {},
  globMatches: [],
  commandPath: null,
};

/** Plans `command` under `policy` from host facts; pure. :danger-full-access runs the command directly (spec 3). */
export function planLinux(policy: ResolvedPolicy, command: CommandSpec, facts: LinuxHostFacts = TYPICAL_HOST_FACTS): PlanResult<LinuxPlan> {
  if (policy.unrestricted) return { ok: true, plan: directPlan(policy, command) };
  const common = commonRefusals(policy, facts);
  const bwrapUsable = facts.bwrap !== null && facts.userNamespaces;
  const mode = facts.mode ?? (bwrapUsable ? "bwrap" : "landlock-only");
  const result = mode === "bwrap" ? planBwrap(policy, command, facts) : planLandlockOnly(policy, command, facts, whyNoBwrap(facts));
  if (common.length === 0) return result;
  return { ok: false, refusal: [...common, ...(result.ok ? [] : result.refusal)] };
}

function whyNoBwrap(facts: LinuxHostFacts): string {
  if (facts.mode === "landlock-only") return "it was requested";
  if (!facts.bwrap) return "bubblewrap is not installed (apt-get install bubblewrap)";
  if (!facts.userNamespaces) return "user namespaces are not available to this user";
  return "bubblewrap is unusable";
}

/** :danger-full-access: no sandbox at all, by specification; the plan says so explicitly. */
function directPlan(policy: ResolvedPolicy, command: CommandSpec): LinuxPlan {
  return {
    mode: "direct",
    profile: policy.profile,
    argv: [...command.argv],
    cwd: command.cwd,
    env: command.env,
    mounts: [],
    placeholders: [],
    execSpec: null,
    seccomp: null,
    specFd: null,
    runtimeDir: null,
    network: null,
    notes: [`${policy.profile} is unrestricted: the command runs directly, without any sandbox (spec section 3)`],
  };
}
