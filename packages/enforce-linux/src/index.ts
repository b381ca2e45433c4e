// Public API of @cordon/enforce-linux: the Linux backend, the library `spawn`, and the pure planner.
export type { LinuxHostFacts, LinuxPlan, MountOp, PathFact, Placeholder, SeccompRequest } from "./types.js";
export type { ExecSpec, LandlockRule, LandlockRights } from "./exec-spec.js";
export { planLinux, TYPICAL_HOST_FACTS } from "./plan/plan.js";
