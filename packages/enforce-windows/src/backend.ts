// windowsBackend: the Backend contract wired to the planner, the fact gatherer, probe and launch.
import type { Backend, CommandSpec, PlanResult, ResolvedPolicy } from "@cordon/policy-model";
import type { WindowsHostFacts } from "./facts.js";
import { gatherFacts } from "./gather.js";
import { launchWindows } from "./launch.js";
import { loadNative } from "./native.js";
import type { WindowsPlan } from "./plan-types.js";
import { planFor } from "./planner.js";
import { BACKEND_NAME, probeWindows } from "./probe.js";

/** The Windows backend (`@cordon/enforce-windows`). */
export const windowsBackend: Backend<WindowsPlan, WindowsHostFacts> = {
  name: BACKEND_NAME,
  platform: "windows",
  probe: () => probeWindows(),
  async plan(policy: ResolvedPolicy, command: CommandSpec): Promise<PlanResult<WindowsPlan>> {
    if (policy.unrestricted) return planFor(policy, command);
    if (process.platform !== "win32") {
      return { ok: false, refusal: [{ rule: `profile ${policy.profile}`, reason: `${BACKEND_NAME} can only enforce on Windows (this host is ${process.platform}); use planFor for a pure plan` }] };
    }
    let facts: WindowsHostFacts;
    try {
      facts = gatherFacts(policy, loadNative());
    } catch (error) {
      return { ok: false, refusal: [{ rule: `profile ${policy.profile}`, reason: `could not read the host facts the Windows sandbox needs: ${(error as Error).message}; refusing to run unsandboxed` }] };
    }
    return planFor(policy, command, facts);
  },
  planFor: (policy, command, facts) => planFor(policy, command, facts),
  launch: (plan, options) => launchWindows(plan, options),
};
