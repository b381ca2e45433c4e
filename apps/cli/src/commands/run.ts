// `cordon run`: resolve the policy, let the host backend plan it (or refuse), run, pass the exit code on.
import { resolvePolicy, type Denial } from "@cordon/policy-model";
import type { ParsedCommandLine } from "../args.js";
import { loadHostBackend } from "../backend.js";
import { printError, printWarnings } from "../output.js";
import { resolveOptionsFrom } from "../resolve-options.js";

/** Exit code for any failure or refusal of cordon itself (spec/cli.md). */
export const RUN_FAILURE_EXIT = 125;

export async function runCommand(cli: ParsedCommandLine): Promise<number> {
  const policy = resolvePolicy(resolveOptionsFrom(cli.common));
  printWarnings(policy.warnings);
  const backend = await loadHostBackend();
  const planned = await backend.plan(policy, { argv: cli.commandArgv, cwd: policy.cwd, env: policy.environment });
  if (!planned.ok) {
    for (const refusal of planned.refusal) printError(`refusing to run under profile ${policy.profile}: ${refusal.rule}: ${refusal.reason}`);
    return RUN_FAILURE_EXIT;
  }
  const sandboxed = await backend.launch(planned.plan, { stdio: "inherit", logDenials: cli.logDenials });
  const status = await sandboxed.exited;
  if (cli.logDenials) reportDenials(status.denials, status.denialLogLimits);
  return status.code;
}

function reportDenials(denials: readonly Denial[], limits: readonly string[]): void {
  process.stderr.write(`cordon: ${denials.length} denial${denials.length === 1 ? "" : "s"} recorded\n`);
  for (const d of denials) process.stderr.write(`cordon: denied ${d.kind} ${d.operation} ${d.target}${d.detail ? ` (${d.detail})` : ""}\n`);
  for (const limit of limits) process.stderr.write(`cordon: note: ${limit}\n`);
}
