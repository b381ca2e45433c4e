#!/usr/bin/env node
// The `cordon` executable: answers --version at once and hands every other command to the CLI build that
// starts fastest for it. build.mjs bundles this file into dist/cordon.cjs, the package's bin.
import type { Backend, Platform } from "@cordon/policy-model";
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
  // Every command runs on the self-contained bundle: one script, compiled from the code cache shipped
  // with it, instead of ~150 ES modules to resolve, read and compile. The commands that load an OS
  // backend get it from importBackend below (errors cross by name and exit code, not instanceof).
  const cli = loadBundledCli();
  if (BACKEND_COMMANDS.has(argv[0] ?? "")) cli.useBackendImporter(importBackend);
  return cli.runCli(argv);
}

/**
 * The backend packages, by literal name (no computed specifier, no environment override). Code run by
 * node:vm cannot import(), so the bin imports for the bundle. On Linux it takes the package's
 * self-contained "./bundle" entry (one ES module instead of ~100); the other backends are small.
 * A missing package rejects with ERR_MODULE_NOT_FOUND, which backend.ts turns into its clear error.
 */
async function importBackend(platform: Platform): Promise<Backend> {
  switch (platform) {
    case "linux":
      return (await import("@cordon/enforce-linux/bundle")).linuxBackend as Backend;
    case "macos":
      return (await import("@cordon/enforce-macos")).macosBackend as Backend;
    case "windows":
      return (await import("@cordon/enforce-windows")).windowsBackend as Backend;
  }
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
