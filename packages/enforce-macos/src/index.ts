// Public API of @cordon/enforce-macos: the Seatbelt backend and its pure building blocks.
export { macosBackend } from "./backend.js";
export { planFor, bindProxyPorts, SANDBOX_EXEC, DEFAULT_LOG_TAG, SHARED_PROXY_PORT_LIMIT } from "./plan.js";
export { proxyEndpoints, fixedProxyPorts, type ProxyEndpoints, type LoopbackHost } from "./proxy-address.js";
export { proxyEnvironment, PROXY_VARIABLES } from "./proxy-env.js";
export { startRunProxy, hostUpstreamProxy, type RunProxy, type RunProxyOptions } from "./run-proxy.js";
export { denialFromDecision, proxyTarget, ProxyDenialCollector, MAX_PROXY_DENIALS } from "./proxy-denials.js";
export { generateProfile, READ_OPERATIONS, WRITE_OPERATIONS, type GeneratedProfile, type ProfileFacts } from "./profile.js";
export { compileDenyGlob, anchoredRegex, GlobCompileError, type GlobAlternative } from "./glob-regex.js";
export { sbplString, paramRef, SbplTextError } from "./sbpl-text.js";
export { standardCanonical, spellingsOf, canonicalizerFrom } from "./spellings.js";
export { canonicalOf, gatherHostFacts } from "./host-facts.js";
export { probeHost, BACKEND_NAME } from "./probe.js";
export { launchPlan, assertLaunchable, exitCodeFor, MacosLaunchError } from "./launch.js";
export { parseDenialMessage, parseDenialStream, DENIAL_LOG_LIMITS } from "./denial-log.js";
export { MACOS_MINIMAL_READ_ROOTS } from "./minimal.js";
export type { MacosHostFacts, MacosPlan } from "./types.js";
