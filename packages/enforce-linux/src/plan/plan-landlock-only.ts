// Landlock-only mode (no bubblewrap or no user namespaces): runs the profiles Landlock can express, which
// only grants access (a union of allowed trees), and refuses every rule it would have to weaken.
import { isWithin, type CommandSpec, type PlanResult, type Refusal, type ResolvedPolicy } from "@cordon/policy-model";
import type { LandlockRule } from "../exec-spec.js";
import type { LinuxHostFacts, LinuxPlan } from "../types.js";
import { accessAt, describeRule, leastOf, parentOf, type AccessState } from "./access.js";
import { canonicalOf, factOf, firstSymlinkOn } from "./facts-lookup.js";
import { LANDLOCK_ABI, landlockSpec } from "./landlock-rules.js";
import { SPEC_FD } from "./plan-bwrap.js";
import { globDeniedPaths } from "./view.js";
import { planUnixSockets } from "./unix-sockets.js";

/** Host devices a command commonly needs; the rest of the host's /dev stays closed (no shared /dev/shm). */
const DEVICE_RULES: readonly LandlockRule[] = [
  { path: "/dev/null", rights: "write" },
  { path: "/dev/full", rights: "write" },
  { path: "/dev/zero", rights: "read" },
  { path: "/dev/random", rights: "read" },
  { path: "/dev/urandom", rights: "read" },
];

const RANK: Record<AccessState, number> = { deny: 0, read: 1, write: 2 };

/** Plans a Landlock-only launch, or refuses naming each inexpressible rule. `why` says why bwrap is not used. */
export function planLandlockOnly(policy: ResolvedPolicy, command: CommandSpec, facts: LinuxHostFacts, why: string): PlanResult<LinuxPlan> {
  const refusals: Refusal[] = [];
  const suffix = ` (Landlock-only mode, because ${why})`;
  if (facts.landlockAbi < LANDLOCK_ABI.scopes) {
    refusals.push({
      rule: "(Landlock)",
      reason: `Landlock-only mode needs Landlock ABI ${LANDLOCK_ABI.scopes} (signal and abstract-socket scopes stand in for the missing pid and network namespaces); this kernel has ${facts.landlockAbi === 0 ? "no Landlock" : `ABI ${facts.landlockAbi}`}${suffix}`,
    });
  }
  if (policy.network.enabled) {
    refusals.push({
      rule: `permissions.${policy.profile}.network.enabled = true`,
      reason: `network access needs a private network namespace (bubblewrap), so that the egress proxy is the only route out; Landlock alone cannot stop UDP or reaching host services through the proxy port${suffix}`,
    });
  }
  const sockets = planUnixSockets(policy, facts);
  refusals.push(...sockets.refusals);
  const globDenied = globDeniedPaths(facts);
  const rules: LandlockRule[] = [];
  for (const rule of policy.filesystem.rules) {
    if (rule.access === "deny") continue;
    const link = firstSymlinkOn(facts, rule.path);
    if (link && accessAt(policy, globDenied, parentOf(link)) === "write") {
      refusals.push({ rule: describeRule(rule), reason: `${rule.path} crosses the symlink ${link}, which the sandbox can write${suffix}` });
      continue;
    }
    const dest = canonicalOf(facts, rule.path);
    if (dest === undefined || factOf(facts, dest).kind === "missing") continue;
    rules.push({ path: dest, rights: rule.access });
  }
  if (policy.filesystem.minimal && facts.commandPath) rules.push({ path: facts.commandPath, rights: "read" });
  rules.push(...DEVICE_RULES);
  const granted = (path: string): AccessState => {
    let best: AccessState = "deny";
    for (const r of rules) if (isWithin(path, r.path) && RANK[r.rights] > RANK[best]) best = r.rights;
    return best;
  };
  // Every narrower-than-ancestor rule is a carve-out Landlock cannot make.
  const check = (path: string, what: string, wanted: AccessState): void => {
    const missing = factOf(facts, path).kind === "missing";
    const got = granted(path);
    const tooMuch = missing ? got === "write" && wanted !== "write" : RANK[got] > RANK[wanted];
    if (tooMuch) {
      refusals.push({
        rule: what,
        reason: `${path} would be ${got === "write" ? "writable" : "readable"}: Landlock cannot ${wanted === "deny" ? "deny" : "make read-only"} a path inside an allowed tree${missing ? " (it is missing and could be created)" : ""}${suffix}`,
      });
    }
  };
  for (const rule of policy.filesystem.rules) {
    if (rule.access !== "write") check(rule.path, describeRule(rule), leastOf(rule.access, accessAt(policy, globDenied, rule.path)));
  }
  for (const p of policy.filesystem.protectedPaths) {
    if (p.state === "missing" && !p.preventCreation) continue;
    check(p.path, `protected ${p.reason === "policy" ? "policy path" : "metadata"} ${p.path} (${p.name})`, accessAt(policy, globDenied, p.path));
  }
  if (Array.isArray(facts.globMatches)) {
    for (const m of facts.globMatches as readonly { path: string; pattern: string }[]) check(m.path, `deny glob ${m.pattern} matched ${m.path}`, "deny");
  }
  if (refusals.length > 0) return { ok: false, refusal: refusals };
  const landlock = landlockSpec(facts.landlockAbi, rules, { requireScopes: true });
  const helper = facts.execHelper!;
  return {
    ok: true,
    plan: {
      mode: "landlock-only",
      profile: policy.profile,
      argv: [helper, "--spec-fd", String(SPEC_FD), "--", ...command.argv],
      cwd: command.cwd,
      env: command.env,
      mounts: [],
      placeholders: [],
      execSpec: { landlock, keepFds: [], newSession: true, newKeyring: true, ...(sockets.allow ? { unixSockets: { allow: sockets.allow } } : {}) },
      seccomp: { network: "none", allowUnixSockets: sockets.allow !== null },
      specFd: SPEC_FD,
      runtimeDir: null,
      network: null,
      notes: [
        `Landlock-only mode (${why}): no mount, pid, network or IPC namespace`,
        "network: seccomp allows no inet sockets; Landlock denies TCP connect and bind; abstract unix sockets and signals are scoped",
        "SysV IPC is not isolated in this mode, and daemonised children may outlive the command (no pid namespace)",
      ],
    },
  };
}
