// Entry points of the config layer: resolve the selected profile, list profiles, check every layer and profile.
import type { Diagnostic } from "../errors.js";
import { formatDiagnostic } from "../errors.js";
import { BUILTIN_ORIGIN, formatOrigin } from "../origin.js";
import type { ResolvedPolicy } from "../resolved-policy.js";
import { compileProfileTree, compileSelection, effectiveProfileTree, profileWorkspaceRoots, addDirRoots } from "./compile-profile.js";
import { loadConfig } from "./load.js";
import { BUILTIN_PROFILES } from "./profiles.js";
import { isAllowed } from "./requirements.js";
import { selectProfile } from "./select.js";
import type { TreeTable } from "./tree.js";
import type { LoadedConfig, ProfileInfo, ResolveOptions } from "./types.js";

export type { LoadedConfig, ProfileInfo, ResolveOptions, Selection, SelectionVia } from "./types.js";
export { loadConfig } from "./load.js";

/**
 * Loads every layer, selects the profile (--profile, default_permissions, managed default, legacy
 * settings, :workspace) and compiles it. Throws CordonError: exitCode 3 when the requirements refuse
 * the selection, 2 for every configuration or usage problem.
 */
export function resolvePolicy(options: ResolveOptions): ResolvedPolicy {
  const loaded = loadConfig(options);
  return compileSelection(loaded, selectProfile(loaded, options.profile));
}

/** Every built-in and every defined profile: allowed by the requirements?, the default?, where defined. */
export function listProfiles(loaded: LoadedConfig): ProfileInfo[] {
  const rows: ProfileInfo[] = BUILTIN_PROFILES.map((name) => ({
    name,
    allowed: isAllowed(loaded.managed, name),
    default: loaded.defaultSelection.name === name,
    source: formatOrigin(BUILTIN_ORIGIN),
  }));
  for (const profile of loaded.profiles.values()) {
    rows.push({
      name: profile.name,
      allowed: isAllowed(loaded.managed, profile.name),
      default: loaded.defaultSelection.name === profile.name,
      source: formatOrigin(profile.tree.origin),
    });
  }
  return rows;
}

/**
 * Validates every layer, resolves the selection (with `options.profile` when given) and compiles
 * every defined profile too, so an error in a profile nobody selects today is found now.
 * Returns the warnings (deduplicated); throws CordonError on the first error.
 */
export function checkConfig(options: ResolveOptions): Diagnostic[] {
  const loaded = loadConfig(options);
  const selection = selectProfile(loaded, options.profile);
  const policy = compileSelection(loaded, selection);
  const warnings: Diagnostic[] = [...policy.warnings];
  const baseRoots = [loaded.context.projectRoot, ...addDirRoots(loaded.context, options.addDirs)];
  const folded = new Map<string, TreeTable>();
  for (const profile of loaded.profiles.values()) {
    if (profile.name === selection.name && !selection.legacy) continue;
    const tree = effectiveProfileTree(loaded, { name: profile.name }, folded);
    const profileWarnings: Diagnostic[] = [];
    const roots = [...new Set([...baseRoots, ...profileWorkspaceRoots(tree, loaded.context, profileWarnings)])];
    const { filesystem } = compileProfileTree(tree, loaded.context, roots, ["permissions", profile.name]);
    warnings.push(...profileWarnings, ...filesystem.warnings);
  }
  const seen = new Set<string>();
  return warnings.filter((warning) => {
    const key = formatDiagnostic(warning);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
