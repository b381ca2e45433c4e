// Chooses the profile a command runs under: --profile, else default_permissions, else the managed default, legacy, :workspace.
import { CordonError, type Diagnostic } from "../errors.js";
import { BUILTIN_ORIGIN, formatOrigin, type Origin } from "../origin.js";
import { describeLegacy, type LegacyProfile } from "./legacy.js";
import { isBuiltinProfile, WORKSPACE, type ProfileCatalog } from "./profiles.js";
import { describeAllowed, isAllowed, type ManagedPolicy } from "./requirements.js";
import { nearest } from "./suggest.js";
import type { LoadedConfig, Selection } from "./types.js";
import type { TreeTable } from "./tree.js";

/** Throws E_PROFILE unless `name` is a built-in or a defined profile; `label` says who referred to it. */
export function checkProfileDefined(name: string, label: string, catalog: ProfileCatalog, where: { origin?: Origin; keyPath?: readonly string[] }): void {
  if (isBuiltinProfile(name) || catalog.has(name)) return;
  if (name.startsWith(":")) {
    throw new CordonError("E_PROFILE", `${label} refers to unknown built-in profile \`${name}\` (built-ins: :read-only, :workspace, :danger-full-access)`, where);
  }
  const guess = nearest(name, [...catalog.keys()]);
  const hint = guess ? ` (did you mean \`${guess}\`?)` : "";
  throw new CordonError("E_PROFILE", `${label} refers to undefined profile \`${name}\`${hint}`, where);
}

/**
 * The profile used when no --profile is given (spec 3, 7, 8). A config `default_permissions` the
 * allowlist does not allow falls back to the managed default, with a warning naming both.
 */
export function selectDefault(
  config: TreeTable,
  catalog: ProfileCatalog,
  managed: ManagedPolicy,
  legacy: LegacyProfile | undefined,
  warnings: Diagnostic[],
): Selection {
  const configured = config.entries.get("default_permissions");
  if (configured?.kind === "leaf" && typeof configured.value === "string") {
    const name = configured.value;
    checkProfileDefined(name, "default_permissions", catalog, { origin: configured.origin, keyPath: ["default_permissions"] });
    if (isAllowed(managed, name)) return { name, via: "config-default", origin: configured.origin };
    const fallback = managed.defaultProfile as { name: string; origin: Origin };
    warnings.push({
      message: `default_permissions \`${name}\` is not allowed by requirements (allowed: ${describeAllowed(managed.allowlist!)}); using the managed default \`${fallback.name}\` (${formatOrigin(fallback.origin)})`,
      origin: configured.origin,
      keyPath: ["default_permissions"],
    });
    return { name: fallback.name, via: "managed-default", origin: fallback.origin };
  }
  if (managed.defaultProfile) return { name: managed.defaultProfile.name, via: "managed-default", origin: managed.defaultProfile.origin };
  if (legacy) return { name: legacy.name, via: "legacy", origin: legacy.presence.origin, legacy };
  return { name: WORKSPACE, via: "builtin-default", origin: BUILTIN_ORIGIN };
}

/**
 * The profile for this command: `--profile` when given (it must be defined, allowed by the
 * requirements, and not mixed with legacy settings), else the default.
 */
export function selectProfile(loaded: LoadedConfig, profile: string | undefined): Selection {
  if (profile === undefined) return loaded.defaultSelection;
  if (loaded.legacy) {
    throw new CordonError(
      "E_LEGACY",
      `--profile \`${profile}\` cannot be combined with ${describeLegacy(loaded.legacy.presence)}: permission profiles and legacy sandbox settings do not compose; remove one of them`,
      { origin: loaded.legacy.presence.origin, keyPath: [loaded.legacy.presence.key] },
    );
  }
  checkProfileDefined(profile, "--profile", loaded.profiles, {});
  const { allowlist } = loaded.managed;
  if (allowlist && !isAllowed(loaded.managed, profile)) {
    const listed = allowlist.entries.get(profile);
    throw new CordonError(
      "E_NOT_ALLOWED",
      `profile \`${profile}\` is not allowed by requirements (allowed: ${describeAllowed(allowlist)}; requirements: ${allowlist.files.join(", ")})`,
      { origin: listed?.origin ?? allowlist.origin, keyPath: listed ? ["allowed_permission_profiles", profile] : ["allowed_permission_profiles"], exitCode: 3 },
    );
  }
  return { name: profile, via: "profile-flag", origin: { kind: "builtin", detail: "selected with --profile" } };
}
