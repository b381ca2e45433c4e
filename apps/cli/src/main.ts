#!/usr/bin/env node
// The `cordon` executable: answers --version at once, and hands every other command to the CLI that
// loads fastest for it. Built by build.mjs into dist/cordon.js (the package's bin); runs unbundled too.
import { CLI_VERSION } from "./version.js";

/** Commands that load an OS backend package (which imports @cordon/policy-model itself). */
const BACKEND_COMMANDS: ReadonlySet<string> = new Set(["run", "doctor", "plan"]);

const argv = process.argv.slice(2);
if (argv[0] === "--version" || argv[0] === "-V") {
  process.stdout.write(`${CLI_VERSION}\n`);
} else {
  // A backend imports the package's own @cordon/policy-model, so backend commands run on the library
  // build (dist/index.js), sharing that one instance instead of loading a second, bundled copy beside
  // it. Every other command runs on the self-contained bundle (dist/cordon-cli.js, see build.mjs):
  // one file to compile instead of ~150 modules to resolve. Both are built from the same sources.
  const { runCli } = BACKEND_COMMANDS.has(argv[0] ?? "") ? await import("./index.js") : await import("./cli.js");
  process.exitCode = await runCli(argv);
}
