// Refusals that do not depend on the enforcement mode: scan errors and missing mandatory pieces (the
// native helper, seccomp). Allowed unix sockets are planned (or refused) in unix-sockets.ts.
import type { Refusal, ResolvedPolicy } from "@cordon/policy-model";
import type { LinuxHostFacts } from "../types.js";

/** Every mode-independent reason to refuse this policy on this host. */
export function commonRefusals(policy: ResolvedPolicy, facts: LinuxHostFacts): Refusal[] {
  const refusals: Refusal[] = [];
  if (!Array.isArray(facts.globMatches)) {
    refusals.push({ rule: "filesystem deny globs", reason: `the deny-glob scan failed, so the matches cannot be masked: ${(facts.globMatches as { error: string }).error}` });
  }
  if (facts.execHelper === null) {
    refusals.push({ rule: "(sandbox helper)", reason: "native helper not built: build @cordon/enforce-linux (npm run build -w @cordon/enforce-linux) so cordon-exec exists" });
  }
  if (!facts.seccomp) {
    refusals.push({ rule: "(seccomp)", reason: "the kernel does not offer seccomp filters (CONFIG_SECCOMP_FILTER), which block io_uring, keyrings and other escapes" });
  }
  return refusals;
}
