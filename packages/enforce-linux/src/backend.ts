// linuxBackend: the Backend contract for Linux (probe, plan, planFor, launch).
import type { Backend, CommandSpec, PlanResult, ResolvedPolicy } from "@cordon/policy-model";
import { gatherFacts } from "./host/facts.js";
import { BACKEND_NAME, probeHost } from "./host/probe.js";
import { launchPlan } from "./launch.js";
import { planLinux } from "./plan/plan.js";
import { RuntimeDirError } from "./runtime/runtime-dir.js";
import type { LinuxHostFacts, LinuxPlan } from "./types.js";

/** Plans against this host: gathers the facts, then plans purely. A runtime-dir problem is a refusal. */
export async function planOnHost(policy: ResolvedPolicy, command: CommandSpec): Promise<PlanResult<LinuxPlan>> {
  if (policy.unrestricted) return planLinux(policy, command);
  let facts: LinuxHostFacts;
  try {
    facts = gatherFacts(policy, command);
  } catch (error) {
    if (error instanceof RuntimeDirError) return { ok: false, refusal: [{ rule: "(cordon runtime dir)", reason: error.message }] };
    throw error;
  }
  return planLinux(policy, command, facts);
}

/** The Linux backend: bubblewrap + the cordon-exec helper (Landlock, seccomp), or Landlock-only. */
export const linuxBackend: Backend<LinuxPlan, LinuxHostFacts> = {
  name: BACKEND_NAME,
  platform: "linux",
  probe: probeHost,
  plan: planOnHost,
  planFor: planLinux,
  launch: launchPlan,
};
