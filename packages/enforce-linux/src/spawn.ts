// Library entry for agent harnesses: spawn(policy, argv) → a sandboxed child, or a SandboxRefusedError.
import type { Refusal, ResolvedPolicy, SandboxedProcess } from "@cordon/policy-model";
import { planOnHost } from "./backend.js";
import { launchPlan, type LinuxLaunchOptions } from "./launch.js";
import { planLinux } from "./plan/plan.js";
import type { LinuxHostFacts } from "./types.js";

/** The policy cannot be enforced here; `refusal` names each rule and why. The command did not run. */
export class SandboxRefusedError extends Error {
  readonly refusal: readonly Refusal[];
  constructor(refusal: readonly Refusal[]) {
    super(`cordon refused to run the command:\n${refusal.map((r) => `  ${r.rule}: ${r.reason}`).join("\n")}`);
    this.name = "SandboxRefusedError";
    this.refusal = refusal;
  }
}

/**
 * Options of `spawn`. With network enabled, each call starts its own egress proxy and closes it when the
 * sandbox is gone, unless `proxy` lends a running one (see LinuxLaunchOptions).
 */
export interface SpawnOptions extends LinuxLaunchOptions {
  /** Working directory (default: policy.cwd). */
  readonly cwd?: string;
  /** Environment (default: policy.environment, the resolved shell_environment_policy). */
  readonly env?: Readonly<Record<string, string>>;
  /** Host facts to plan with instead of probing (tests; e.g. forcing Landlock-only mode). */
  readonly facts?: LinuxHostFacts;
}

/**
 * Runs `argv` under `policy`. Throws SandboxRefusedError (before anything runs) when the policy cannot
 * be enforced on this host; never falls back to running unsandboxed.
 */
export async function spawn(policy: ResolvedPolicy, argv: readonly string[], options: SpawnOptions = {}): Promise<SandboxedProcess> {
  if (argv.length === 0) throw new TypeError("spawn: argv must name a command");
  const command = { argv, cwd: options.cwd ?? policy.cwd, env: options.env ?? policy.environment };
  const planned = options.facts ? planLinux(policy, command, options.facts) : await planOnHost(policy, command);
  if (!planned.ok) throw new SandboxRefusedError(planned.refusal);
  return launchPlan(planned.plan, options);
}
