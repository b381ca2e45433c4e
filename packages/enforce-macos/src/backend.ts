// macosBackend: the Backend contract for macOS (Seatbelt via /usr/bin/sandbox-exec).
import { CordonError, type Backend, type CommandSpec, type PlanResult, type ResolvedPolicy } from "@cordon/policy-model";
import { gatherHostFacts } from "./host-facts.js";
import { launchPlan } from "./launch.js";
import { planFor } from "./plan.js";
import { BACKEND_NAME, probeHost } from "./probe.js";
import type { MacosHostFacts, MacosPlan } from "./types.js";

async function plan(policy: ResolvedPolicy, command: CommandSpec): Promise<PlanResult<MacosPlan>> {
  if (policy.unrestricted) return planFor(policy, command);
  const report = await probeHost();
  if (!report.ready) return { ok: false, refusal: report.problems.map((reason) => ({ rule: "macOS sandbox", reason })) };
  let facts: MacosHostFacts;
  try {
    facts = gatherHostFacts(policy);
  } catch (error) {
    if (error instanceof CordonError) return { ok: false, refusal: [{ rule: "deny glob scan", reason: error.message }] };
    throw error;
  }
  return planFor(policy, command, facts);
}

/** The macOS backend. */
export const macosBackend: Backend<MacosPlan, MacosHostFacts> = {
  name: BACKEND_NAME,
  platform: "macos",
  probe: () => probeHost(),
  plan,
  planFor,
  launch: launchPlan,
};
