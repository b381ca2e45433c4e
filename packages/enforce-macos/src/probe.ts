// probe(): can this host run sandbox-exec, and does Seatbelt actually enforce a deny? Never throws.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import type { Capability, ProbeReport } from "@cordon/policy-model";
import { SANDBOX_EXEC } from "./plan.js";

export const BACKEND_NAME = "@cordon/enforce-macos";

/** Runs `argv` under sandbox-exec with `profile`; the exit status, or null when it could not run. */
function runSandboxed(profile: string, argv: readonly string[]): number | null {
  const result = spawnSync(SANDBOX_EXEC, ["-p", profile, "--", ...argv], { stdio: "ignore", timeout: 10_000 });
  return result.error ? null : result.status;
}

/** What the macOS backend can enforce here. */
export async function probeHost(platform: NodeJS.Platform = process.platform): Promise<ProbeReport> {
  const capabilities: Record<string, Capability> = {};
  const problems: string[] = [];
  if (platform !== "darwin") {
    problems.push(`sandbox-exec exists only on macOS (this host is ${platform}); install the backend for this OS instead`);
    capabilities["sandbox-exec"] = { available: false, detail: "not macOS" };
    return { platform: "macos", backend: BACKEND_NAME, ready: false, capabilities, problems };
  }
  try {
    accessSync(SANDBOX_EXEC, constants.X_OK);
    capabilities["sandbox-exec"] = { available: true, detail: SANDBOX_EXEC };
  } catch {
    capabilities["sandbox-exec"] = { available: false, detail: `${SANDBOX_EXEC} is missing or not executable` };
    problems.push(`${SANDBOX_EXEC} is missing; it ships with macOS and cannot be replaced by another binary`);
    return { platform: "macos", backend: BACKEND_NAME, ready: false, capabilities, problems };
  }
  const runs = runSandboxed("(version 1)(allow default)", ["/usr/bin/true"]) === 0;
  // Enforcement check: the same read, once denied by the profile, must fail.
  const denied = runSandboxed('(version 1)(allow default)(deny file-read* (literal "/private/etc/hosts"))', ["/bin/cat", "/etc/hosts"]);
  const enforces = runs && denied !== null && denied !== 0;
  capabilities["seatbelt-profiles"] = { available: runs, detail: runs ? "a trivial profile runs" : "sandbox-exec failed to run a trivial profile" };
  capabilities["seatbelt-enforcement"] = { available: enforces, detail: enforces ? "a denied read failed as expected" : "a denied read was not blocked" };
  if (!runs) problems.push("sandbox-exec could not run a trivial profile (is this a restricted environment or a nested sandbox?)");
  else if (!enforces) problems.push("Seatbelt did not enforce a deny rule; refusing to rely on it");
  const ok = runs && enforces;
  for (const feature of ["deny-globs", "protected-metadata", "network-proxy-only", "unix-sockets-by-path"]) {
    capabilities[feature] = { available: ok, detail: ok ? "expressed in the generated profile" : "needs a working sandbox-exec" };
  }
  capabilities["denial-log"] = { available: ok, detail: "unified log (`log stream`), best effort" };
  return { platform: "macos", backend: BACKEND_NAME, ready: ok, capabilities, problems };
}
