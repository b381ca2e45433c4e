// The command's starting environment from `[shell_environment_policy]` (spec 6).
import { CordonError } from "./errors.js";
import type { ShellEnvironmentPolicyTable } from "./schema.js";

/** Variables `inherit = "core"` keeps. */
export const CORE_ENVIRONMENT_VARIABLES: readonly string[] = [
  "HOME", "LOGNAME", "PATH", "SHELL", "USER", "USERNAME", "LANG", "TERM", "TMPDIR", "TEMP", "TMP",
];

/**
 * Names dropped unless `ignore_default_excludes = true`. Differs from Codex twice (spec 6): Codex
 * defaults `ignore_default_excludes` to true (keeps secrets), and its list is only KEY/SECRET/TOKEN.
 */
export const DEFAULT_ENVIRONMENT_EXCLUDES: readonly string[] = ["*KEY*", "*SECRET*", "*TOKEN*", "*PASSWORD*", "*CREDENTIAL*"];

/** The variable cordon adds last, naming the active profile. */
export const SANDBOX_MARKER_VARIABLE = "CORDON_SANDBOX";

/**
 * Compiles a case-insensitive wildcard pattern (`*` any run, `?` one character) anchored to the
 * whole variable name: `NORM*` matches `normal` but not `ABNORMAL`.
 */
export function environmentPatternMatcher(pattern: string): (name: string) => boolean {
  const source = [...pattern]
    .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  const re = new RegExp(`^${source}$`, "iu");
  return (name) => re.test(name);
}

function anyMatcher(patterns: readonly string[]): (name: string) => boolean {
  const matchers = patterns.map(environmentPatternMatcher);
  return (name) => matchers.some((m) => m(name));
}

/**
 * Computes the environment the command starts with, in the order of spec 6:
 * 1. `inherit`: all (default), core (CORE_ENVIRONMENT_VARIABLES, names compared case-insensitively
 *    so Windows' `Path` counts), or none;
 * 2. unless `ignore_default_excludes`, drop names matching DEFAULT_ENVIRONMENT_EXCLUDES;
 * 3. drop names matching `exclude`; 4. add `set`; 5. if `include_only` is non-empty, keep only
 * matching names (a `set` variable it does not match is dropped too);
 * then add `CORDON_SANDBOX=<profileName>`. Proxy variables are added later, by the backend.
 * Throws CordonError E_SCHEMA for a `set` name or value no process environment can hold.
 */
export function computeEnvironment(
  policy: ShellEnvironmentPolicyTable | undefined,
  hostEnv: Readonly<Record<string, string | undefined>>,
  profileName: string,
): Record<string, string> {
  const inherit = policy?.inherit ?? "all";
  const env: Record<string, string> = {};
  const core = new Set(CORE_ENVIRONMENT_VARIABLES);
  for (const [name, value] of Object.entries(hostEnv)) {
    if (value === undefined) continue;
    if (inherit === "none") continue;
    if (inherit === "core" && !core.has(name.toUpperCase())) continue;
    env[name] = value;
  }

  const drop = (matches: (name: string) => boolean): void => {
    for (const name of Object.keys(env)) if (matches(name)) delete env[name];
  };
  if (policy?.ignore_default_excludes !== true) drop(anyMatcher(DEFAULT_ENVIRONMENT_EXCLUDES));
  if (policy?.exclude && policy.exclude.length > 0) drop(anyMatcher(policy.exclude));

  for (const [name, value] of Object.entries(policy?.set ?? {})) {
    validateSetEntry(name, value);
    env[name] = value;
  }

  if (policy?.include_only && policy.include_only.length > 0) {
    const keep = anyMatcher(policy.include_only);
    drop((name) => !keep(name));
  }

  env[SANDBOX_MARKER_VARIABLE] = profileName;
  return env;
}

function validateSetEntry(name: string, value: unknown): void {
  const keyPath = ["shell_environment_policy", "set", name];
  if (name === "" || name.includes("=") || name.includes("\0")) {
    throw new CordonError("E_SCHEMA", `environment variable name ${JSON.stringify(name)} is invalid: it must be non-empty and contain no "=" or NUL`, { keyPath });
  }
  if (typeof value !== "string" || value.includes("\0")) {
    throw new CordonError("E_SCHEMA", `environment variable ${name} must be a string without NUL characters`, { keyPath });
  }
}
