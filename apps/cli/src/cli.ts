// The CLI as a function: argv in, exit code out. Maps every known failure to one clear line on stderr.
import { CordonError } from "@cordon/policy-model";
import { HELP, parseCommandLine, type CommandName, type ParsedCommandLine } from "./args.js";
import { checkCommand } from "./commands/check.js";
import { doctorCommand } from "./commands/doctor.js";
import { envCommand } from "./commands/env.js";
import { explainCommand } from "./commands/explain.js";
import { planCommand } from "./commands/plan.js";
import { profilesCommand } from "./commands/profiles.js";
import { RUN_FAILURE_EXIT, runCommand } from "./commands/run.js";
import { schemaCommand } from "./commands/schema.js";
import { printError, printLine } from "./output.js";
import { cliVersion } from "./version.js";

const HANDLERS: Record<CommandName, (cli: ParsedCommandLine) => number | Promise<number>> = {
  run: runCommand,
  explain: explainCommand,
  env: envCommand,
  profiles: profilesCommand,
  check: checkCommand,
  doctor: doctorCommand,
  plan: planCommand,
  schema: schemaCommand,
};

/** Runs one cordon invocation and returns its exit code. Never throws. */
export async function runCli(argv: readonly string[]): Promise<number> {
  if (argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    printLine(HELP);
    return 0;
  }
  if (argv[0] === "--version" || argv[0] === "-V") {
    printLine(cliVersion());
    return 0;
  }
  const command = argv[0];
  try {
    const parsed = parseCommandLine(argv);
    return await HANDLERS[parsed.command](parsed);
  } catch (error) {
    return reportFailure(error, command === "run");
  }
}

function reportFailure(error: unknown, isRun: boolean): number {
  if (isCordonError(error)) {
    printError(error.message);
    return isRun ? RUN_FAILURE_EXIT : error.exitCode;
  }
  if (hasName(error, "UsageError")) {
    printError(`${error.message}\n${"Usage: cordon <run|explain|env|profiles|check|doctor|plan|schema> [options] (cordon --help)"}`);
    return isRun ? RUN_FAILURE_EXIT : 2;
  }
  if (hasName(error, "BackendUnavailableError")) {
    printError(error.message);
    return isRun ? RUN_FAILURE_EXIT : 3;
  }
  // An unexpected failure is still one line, and a run never falls back to running unsandboxed.
  printError(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  return isRun ? RUN_FAILURE_EXIT : 1;
}

// Errors are recognised by name, not instanceof: a backend package may throw a CordonError from its own
// copy of @cordon/policy-model (e.g. when the CLI runs from its bundle), whose class is not this one.

function hasName(error: unknown, name: string): error is Error {
  return error instanceof Error && error.name === name;
}

function isCordonError(error: unknown): error is Error & Pick<CordonError, "exitCode"> {
  if (error instanceof CordonError) return true;
  const exitCode = (error as { exitCode?: unknown } | null)?.exitCode;
  return hasName(error, "CordonError") && (exitCode === 2 || exitCode === 3);
}
