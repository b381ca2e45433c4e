// Entry points of the config layer: load every layer, select a profile, compile it to a ResolvedPolicy.
import type { Diagnostic } from "../errors.js";
import type { Platform, ResolvedPolicy } from "../resolved-policy.js";

/** Everything that influences which policy applies to one command. */
export interface ResolveOptions {
  /** Absolute working directory of the command. */
  cwd: string;
  /** Host environment (HOME, TMPDIR, CORDON_HOME, CORDON_SYSTEM_DIR, env policy input). */
  env: Readonly<Record<string, string | undefined>>;
  /** Default: the current OS. */
  platform?: Platform;
  /** `--profile`. */
  profile?: string;
  /** `--config` files, in order. */
  configFiles?: readonly string[];
  /** `-c KEY=VALUE` texts, in order. */
  overrides?: readonly string[];
  /** `--requirements` files, in order. */
  requirementsFiles?: readonly string[];
  /** `--add-dir` directories. */
  addDirs?: readonly string[];
}

/** One row of `cordon profiles`. */
export interface ProfileInfo {
  name: string;
  allowed: boolean;
  default: boolean;
  /** "builtin" or "file:line". */
  source: string;
}

/** The loaded, validated and merged layers (opaque to callers except for `warnings`). */
export interface LoadedConfig {
  warnings: Diagnostic[];
}

/** Loads, validates and merges every layer; throws CordonError. */
export function loadConfig(_options: ResolveOptions): LoadedConfig {
  throw new Error("not implemented yet");
}

/** Every built-in and every defined profile. */
export function listProfiles(_loaded: LoadedConfig): ProfileInfo[] {
  throw new Error("not implemented yet");
}

/** Resolves the selected profile to a ResolvedPolicy; throws CordonError (exitCode 2 or 3). */
export function resolvePolicy(_options: ResolveOptions): ResolvedPolicy {
  throw new Error("not implemented yet");
}

/** Validates every layer and compiles every profile; returns warnings, throws on the first error. */
export function checkConfig(_options: ResolveOptions): Diagnostic[] {
  throw new Error("not implemented yet");
}
