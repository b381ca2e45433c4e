#!/usr/bin/env node
// Release gate: which public packages have a version the registry does not have yet (then the release builds prebuilds and publishes).
//
//   node tools/unpublished.mjs [--github-output]   prints name@version per line; with --github-output also
//                                                  appends `publish=true|false` to $GITHUB_OUTPUT
import { appendFileSync } from "node:fs";
import { runNpm } from "./pack-all.mjs";
import { publicPackages, repoRoot } from "./workspace-packages.mjs";

/** True when `npm view name@version` finds it; false on E404; anything else (network, auth) is an error. */
function isPublished(name, version) {
  try {
    return runNpm(["view", `${name}@${version}`, "version", "--json"], { cwd: repoRoot }).trim() !== "";
  } catch (error) {
    if (/\bE404\b|404 Not Found/.test(error.message)) return false;
    throw error;
  }
}

const pending = publicPackages().filter((pkg) => !isPublished(pkg.name, pkg.version));
for (const pkg of pending) console.log(`${pkg.name}@${pkg.version}`);
if (pending.length === 0) console.log("unpublished: every package version is already on the registry");
if (process.argv.includes("--github-output")) {
  if (!process.env.GITHUB_OUTPUT) {
    console.error("unpublished: --github-output needs $GITHUB_OUTPUT");
    process.exit(2);
  }
  appendFileSync(process.env.GITHUB_OUTPUT, `publish=${pending.length > 0}\n`);
}
