// loadConfig: reads every layer, merges them, builds the profile catalog and checks the cross-layer rules.
import { CordonError, type Diagnostic } from "../errors.js";
import { formatOrigin } from "../origin.js";
import { hostContext } from "./context.js";
import { describeLegacy, findLegacy, translateLegacy, type LegacyProfile } from "./legacy.js";
import { loadConfigLayers, loadRequirementsLayers, mergeLayers } from "./layers.js";
import { isBuiltinProfile, type DefinedProfile } from "./profiles.js";
import { analyzeRequirements } from "./requirements.js";
import { selectDefault } from "./select.js";
import { tableAt, type TreeTable } from "./tree.js";
import type { LoadedConfig, ResolveOptions } from "./types.js";

const EMPTY: TreeTable = { kind: "table", origin: { kind: "builtin" }, entries: new Map() };

/**
 * Loads, validates and merges every config and requirements layer, then checks the rules that span
 * layers: managed profile names not redefined in config, the allowlist, the managed default, legacy
 * settings not mixed with default_permissions, and default_permissions naming a defined profile.
 * Throws CordonError.
 */
export function loadConfig(options: ResolveOptions): LoadedConfig {
  const warnings: Diagnostic[] = [];
  const context = hostContext(options);
  const configLayers = loadConfigLayers(context, options, warnings);
  const requirementsLayers = loadRequirementsLayers(context, options, warnings);
  const config = mergeLayers(configLayers, EMPTY);
  const requirements = mergeLayers(requirementsLayers, EMPTY);
  const profiles = buildCatalog(config, requirements);
  const managed = analyzeRequirements(requirements, requirementsLayers, (name) => isBuiltinProfile(name) || profiles.has(name));

  let legacy: LegacyProfile | undefined;
  const presence = findLegacy(config);
  if (presence && managed.allowlist) {
    warnings.push({
      message: `${describeLegacy(presence)} is ignored: requirements set allowed_permission_profiles (${formatOrigin(managed.allowlist.origin)}), which selects permission profiles instead`,
      origin: presence.origin,
      keyPath: [presence.key],
    });
  } else if (presence) {
    const configured = config.entries.get("default_permissions");
    if (configured) {
      throw new CordonError(
        "E_LEGACY",
        `default_permissions (${formatOrigin(configured.origin)}) cannot be combined with ${describeLegacy(presence)}: permission profiles and legacy sandbox settings do not compose; remove one of them`,
        { origin: configured.origin, keyPath: ["default_permissions"] },
      );
    }
    legacy = translateLegacy(config, presence, warnings);
  }

  const defaultSelection = selectDefault(config, profiles, managed, legacy, warnings);
  return { options, context, configLayers, requirementsLayers, config, requirements, profiles, managed, legacy, defaultSelection, warnings };
}

/** Every profile from config and requirements; a managed name may not also be defined in config. */
function buildCatalog(config: TreeTable, requirements: TreeTable): Map<string, DefinedProfile> {
  const catalog = new Map<string, DefinedProfile>();
  const fromConfig = tableAt(config, ["permissions"]);
  const fromRequirements = tableAt(requirements, ["permissions"]);
  for (const [name, tree] of fromConfig?.entries ?? []) {
    if (tree.kind === "table") catalog.set(name, { name, tree, managed: false });
  }
  for (const [name, tree] of fromRequirements?.entries ?? []) {
    if (tree.kind !== "table") continue;
    const clash = catalog.get(name);
    if (clash) {
      throw new CordonError(
        "E_PROFILE",
        `permissions profile \`${name}\` is managed by requirements (${formatOrigin(tree.origin)}) and cannot also be defined in a config layer (${formatOrigin(clash.tree.origin)})`,
        { origin: clash.tree.origin, keyPath: ["permissions", name] },
      );
    }
    catalog.set(name, { name, tree, managed: true });
  }
  return catalog;
}
