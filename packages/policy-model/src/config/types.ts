// Public types of the config layer: resolve options, the loaded configuration, profile listing rows.
import type { Diagnostic } from "../errors.js";
import type { Origin } from "../origin.js";
import type { Platform } from "../resolved-policy.js";
import type { HostContext } from "./context.js";
import type { Layer } from "./layers.js";
import type { LegacyProfile } from "./legacy.js";
import type { ProfileCatalog } from "./profiles.js";
import type { ManagedPolicy } from "./requirements.js";
import type { TreeTable } from "./tree.js";

/** Everything that influences which policy applies to one command. */
export interface ResolveOptions {
  /** Absolute working directory of the command (must exist). */
  cwd: string;
  /** Host environment (HOME, TMPDIR, CORDON_HOME, CORDON_SYSTEM_DIR, env policy input). */
  env: Readonly<Record<string, string | undefined>>;
  /** Default: the current OS. */
  platform?: Platform;
  /** `--profile`. */
  profile?: string;
  /** `--config` files, in order (relative paths are resolved against `cwd`). */
  configFiles?: readonly string[];
  /** `-c KEY=VALUE` texts, in order. */
  overrides?: readonly string[];
  /** `--requirements` files, in order (relative paths are resolved against `cwd`). */
  requirementsFiles?: readonly string[];
  /** `--add-dir` directories (relative to `cwd`; each must be an existing directory). */
  addDirs?: readonly string[];
}

/** One row of `cordon profiles`. */
export interface ProfileInfo {
  name: string;
  allowed: boolean;
  default: boolean;
  /** "builtin", "file:line", or "-c KEY=VALUE". */
  source: string;
}

/** How the profile was chosen. */
export type SelectionVia = "profile-flag" | "config-default" | "managed-default" | "legacy" | "builtin-default";

/** The profile a command runs under, and why. */
export interface Selection {
  readonly name: string;
  readonly via: SelectionVia;
  readonly origin: Origin;
  /** Set when legacy settings were translated (their projection replaces the built-in's). */
  readonly legacy?: LegacyProfile;
}

/** The loaded, validated and merged layers. Fields other than `warnings` are for cordon's own tools. */
export interface LoadedConfig {
  readonly options: ResolveOptions;
  readonly context: HostContext;
  /** Config layers, lowest precedence first. */
  readonly configLayers: readonly Layer[];
  /** Requirements layers, lowest precedence first. */
  readonly requirementsLayers: readonly Layer[];
  /** All config layers merged. */
  readonly config: TreeTable;
  /** All requirements layers merged. */
  readonly requirements: TreeTable;
  /** Every profile defined in a config or requirements layer. */
  readonly profiles: ProfileCatalog;
  readonly managed: ManagedPolicy;
  /** Legacy settings in effect (undefined when absent or overridden by an allowlist). */
  readonly legacy: LegacyProfile | undefined;
  /** The profile used when no --profile is given. */
  readonly defaultSelection: Selection;
  /** Non-fatal findings so far. */
  warnings: Diagnostic[];
}
