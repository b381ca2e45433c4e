// probe(): what this host can enforce, for `cordon doctor`; computed once per process.
import { readFileSync } from "node:fs";
import type { Capability, ProbeReport } from "@cordon/policy-model";
import { LANDLOCK_ABI } from "../plan/landlock-rules.js";
import { cachedBwrap } from "./facts.js";
import { nativeFacts } from "./native-facts.js";
import { bwrapVersion, usernsSysctlCheck, usernsTry } from "./userns.js";

/** npm name of this backend. */
export const BACKEND_NAME = "@cordon/enforce-linux";

let cached: Promise<ProbeReport> | undefined;

function sysctl(name: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${name.replaceAll(".", "/")}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Probes bubblewrap, user namespaces (by trying), Landlock, seccomp and the helper. Never throws. */
export function probeHost(): Promise<ProbeReport> {
  cached ??= Promise.resolve().then(computeProbe);
  return cached;
}

function computeProbe(): ProbeReport {
  const problems: string[] = [];
  const uid = process.geteuid?.() ?? 0;
  const bwrap = cachedBwrap();
  const capabilities: Record<string, Capability> = {};

  if (bwrap.path === null) {
    problems.push(bwrap.problem);
    capabilities.bubblewrap = { available: false, detail: bwrap.problem };
    capabilities.userNamespaces = { available: false, detail: "not checked: no bubblewrap" };
  } else {
    capabilities.bubblewrap = { available: true, detail: `${bwrap.path} ${bwrapVersion(bwrap.path)}` };
    const sysctlCheck = usernsSysctlCheck(uid);
    const userns = sysctlCheck.ok ? usernsTry(bwrap.path) : sysctlCheck;
    capabilities.userNamespaces = userns.ok ? { available: true, detail: uid === 0 ? "root" : "unprivileged" } : { available: false, detail: userns.problem };
    if (!userns.ok) problems.push(userns.problem);
  }

  const native = nativeFacts();
  problems.push(...native.problems);
  capabilities.execHelper = native.execHelper ? { available: true, detail: native.execHelper } : { available: false, detail: "native helper not built" };
  capabilities.seccomp = { available: native.seccomp, detail: native.seccomp ? "seccomp-bpf filters" : "unavailable" };
  if (!native.seccomp && native.problems.length === 0) problems.push("the kernel lacks seccomp filters (CONFIG_SECCOMP_FILTER)");
  const abi = native.landlockAbi;
  capabilities.landlock = { available: abi >= LANDLOCK_ABI.base, detail: abi > 0 ? `ABI ${abi}` : "unavailable" };
  capabilities.landlockScopes = { available: abi >= LANDLOCK_ABI.scopes, detail: `signal and abstract-socket scopes need ABI ${LANDLOCK_ABI.scopes}` };
  if (abi === 0 && native.problems.length === 0) {
    problems.push("Landlock is unavailable: use Linux >= 5.13 with landlock in the lsm= boot parameter (needed when running as root and for Landlock-only mode)");
  }
  const bwrapMode = capabilities.bubblewrap.available && capabilities.userNamespaces.available;
  capabilities.landlockOnlyMode = { available: abi >= LANDLOCK_ABI.scopes && native.execHelper !== null, detail: "fallback without bubblewrap: no carve-outs inside allowed trees" };
  const ioUring = sysctl("kernel.io_uring_disabled");
  capabilities.ioUringBlocked = { available: native.seccomp, detail: `seccomp denies io_uring_setup (kernel.io_uring_disabled = ${ioUring ?? "n/a"})` };
  const tiocsti = sysctl("dev.tty.legacy_tiocsti");
  capabilities.ttyInjectionBlocked = { available: true, detail: `every sandbox runs in a new session (dev.tty.legacy_tiocsti = ${tiocsti ?? "n/a"})` };
  capabilities.network = bwrapMode
    ? { available: true, detail: "egress proxy on a private unix socket, bridged into the sandbox's own network namespace (loopback only)" }
    : { available: false, detail: "needs bubblewrap with user namespaces (a private network namespace); profiles with network.enabled = true are refused" };
  capabilities.unixSocketAllowlist = native.unixSocketMediation
    ? { available: true, detail: "cordon-exec confines unix sockets to the allowed paths" }
    : { available: false, detail: "cordon-exec has no unix socket mediation: profiles allowing a unix socket are refused" };

  const rootNeedsLandlock = uid === 0 && abi < LANDLOCK_ABI.base;
  if (rootNeedsLandlock) problems.push("running as root requires Landlock");
  const ready = bwrapMode && native.execHelper !== null && native.seccomp && !rootNeedsLandlock;
  return { platform: "linux", backend: BACKEND_NAME, ready, capabilities, problems };
}
