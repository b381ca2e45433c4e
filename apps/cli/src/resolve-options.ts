// Common CLI options → policy-model ResolveOptions. Paths given on the command line are made absolute
// against the directory cordon was started in; nothing else from the environment shapes the policy.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { ResolveOptions } from "@cordon/policy-model";
import { UsageError, type CommonOptions } from "./args.js";

export function resolveOptionsFrom(common: CommonOptions): ResolveOptions {
  const cwd = resolve(process.cwd(), common.cwd ?? ".");
  if (common.cwd !== undefined && !isDirectory(cwd)) throw new UsageError(`--cwd ${common.cwd}: not a directory`);
  const options: ResolveOptions = {
    cwd,
    env: process.env,
    configFiles: common.configFiles.map((file) => resolve(process.cwd(), file)),
    overrides: common.overrides,
    requirementsFiles: common.requirementsFiles.map((file) => resolve(process.cwd(), file)),
    addDirs: common.addDirs.map((dir) => resolve(process.cwd(), dir)),
  };
  return common.profile === undefined ? options : { ...options, profile: common.profile };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
