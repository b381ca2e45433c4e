#!/usr/bin/env node
// The `cordon` executable: answers --version at once and hands every other command to the CLI build that
// starts fastest for it. build.mjs bundles this file into dist/cordon.cjs, the package's bin.
import { loadBundledCli } from "./bundled-cli.js";
import { cliVersion } from "./version.js";
import { writeText } from "./write.js";

/** Commands that load an OS backend package, which imports @cordon/policy-model itself. */
const BACKEND_COMMANDS: ReadonlySet<string> = new Set(["run", "doctor", "plan"]);

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === "--version" || argv[0] === "-V") {
    writeText(1, `${cliVersion()}\n`);
    return 0;
  }
  // A backend imports the installed @cordon/policy-model, so the commands that load one run on the
  // package's library build (dist/index.js) and share that one instance, instead of loading a second,
  // bundled copy beside it. Every other command runs on the self-contained bundle: one script, compiled
  // from the code cache shipped with it, instead of ~150 ES modules to resolve, read and compile.
  const cli = BACKEND_COMMANDS.has(argv[0] ?? "") ? await import("./index.js") : loadBundledCli();
  return cli.runCli(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Only a broken installation gets here (runCli itself never throws); nothing has been run.
    writeText(2, `cordon: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = process.argv[2] === "run" ? 125 : 1;
  },
);
