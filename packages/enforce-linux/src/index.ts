// Public API of @cordon/enforce-linux: the Linux backend, the library `spawn`, and the pure planner.
export { linuxBackend, planOnHost } from "./backend.js";
export { spawn, SandboxRefusedError, type SpawnOptions } from "./spawn.js";
export { planLinux, TYPICAL_HOST_FACTS } from "./plan/plan.js";
export { gatherFacts } from "./host/facts.js";
export { probeHost } from "./host/probe.js";
export { launchPlan, CORDON_FAILURE_EXIT, type LinuxLaunchOptions } from "./launch.js";
export { DEFAULT_PROXY_PORT, SANDBOX_NET_DIR, type LinuxNetworkPlan, type BridgeRoute } from "./network/network-plan.js";
export { ProxySessionError } from "./network/proxy-session.js";
export type { LinuxHostFacts, LinuxPlan, MountOp, PathFact, Placeholder, SeccompRequest } from "./types.js";
export type { ExecSpec, LandlockRule, LandlockRights } from "./exec-spec.js";
