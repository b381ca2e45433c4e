// Finds, reads and validates every config and requirements layer in precedence order (spec 1).
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Diagnostic } from "../errors.js";
import { normalizeDomainPattern } from "../network/host.js";
import type { HostContext } from "./context.js";
import { dirsFromRootToCwd } from "./context.js";
import { parseOverride } from "./override.js";
import { loadTomlFile } from "./toml-load.js";
import { mergeTrees, type TreeNode, type TreeTable } from "./tree.js";
import { validateLayer, type LayerKind } from "./validate.js";

export type LayerSource = "system" | "user" | "project" | "flag" | "override";

/** One loaded, validated layer. */
export interface Layer {
  readonly kind: LayerKind;
  readonly source: LayerSource;
  /** The file it came from (absent for `-c` overrides). */
  readonly file?: string;
  readonly tree: TreeTable;
}

export interface LayerInputs {
  readonly configFiles?: readonly string[] | undefined;
  readonly overrides?: readonly string[] | undefined;
  readonly requirementsFiles?: readonly string[] | undefined;
}

/** Config layers, lowest precedence first: system, user, project (root down to cwd), --config, -c. */
export function loadConfigLayers(ctx: HostContext, inputs: LayerInputs, warnings: Diagnostic[]): Layer[] {
  const layers: Layer[] = [];
  const add = (source: LayerSource, file: string, required: boolean): void => {
    const layer = loadFileLayer("config", source, file, required, warnings);
    if (layer) layers.push(layer);
  };
  add("system", join(ctx.systemDir, "config.toml"), false);
  add("user", join(ctx.cordonHome, "config.toml"), false);
  for (const dir of dirsFromRootToCwd(ctx.projectRoot, ctx.cwd)) add("project", join(dir, ".cordon", "config.toml"), false);
  // Relative --config paths are resolved against the command's working directory (the CLI passes absolute ones).
  for (const file of inputs.configFiles ?? []) add("flag", resolve(ctx.cwd, file), true);
  for (const text of inputs.overrides ?? []) {
    const tree = parseOverride(text);
    validateLayer(tree, "config");
    layers.push({ kind: "config", source: "override", tree: normalizeDomainKeys(tree, warnings) });
  }
  return layers;
}

/** Requirements layers, lowest first: $CORDON_SYSTEM_DIR/requirements.toml, then each --requirements. */
export function loadRequirementsLayers(ctx: HostContext, inputs: LayerInputs, warnings: Diagnostic[]): Layer[] {
  const layers: Layer[] = [];
  const system = loadFileLayer("requirements", "system", join(ctx.systemDir, "requirements.toml"), false, warnings);
  if (system) layers.push(system);
  for (const file of inputs.requirementsFiles ?? []) {
    const layer = loadFileLayer("requirements", "flag", resolve(ctx.cwd, file), true, warnings);
    if (layer) layers.push(layer);
  }
  return layers;
}

/**
 * Loads one file layer. A missing file at a default location is simply absent; a file named on the
 * command line must exist. A default-location file that exists but cannot be read is an error
 * (fail closed: skipping an unreadable requirements file would lift the administrator's limits).
 */
function loadFileLayer(kind: LayerKind, source: LayerSource, file: string, required: boolean, warnings: Diagnostic[]): Layer | undefined {
  if (!required && !pathExists(file)) return undefined;
  const tree = loadTomlFile(file);
  validateLayer(tree, kind);
  return { kind, source, file, tree: normalizeDomainKeys(tree, warnings) };
}

function pathExists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    // Exists but cannot be inspected (e.g. EACCES on a parent): let the read report it.
    return true;
  }
}

/** Merges layers as TOML tables (spec 1). */
export function mergeLayers(layers: readonly Layer[], empty: TreeTable): TreeTable {
  return layers.reduce((merged, layer) => mergeTrees(merged, layer.tree), empty);
}

/**
 * Rewrites every `permissions.<p>.network.domains` key to its normalized form, so `"Example.COM."`
 * in a higher layer overrides `"example.com"` in a lower one. Two keys of one layer that normalize
 * to the same pattern keep the stricter decision (deny), with a warning.
 */
export function normalizeDomainKeys(tree: TreeTable, warnings: Diagnostic[]): TreeTable {
  const permissions = tree.entries.get("permissions");
  if (permissions?.kind !== "table") return tree;
  const profiles = new Map<string, TreeNode>();
  for (const [name, profile] of permissions.entries) {
    profiles.set(name, normalizeProfileDomains(profile, warnings));
  }
  const entries = new Map(tree.entries);
  entries.set("permissions", { ...permissions, entries: profiles });
  return { ...tree, entries };
}

function normalizeProfileDomains(profile: TreeNode, warnings: Diagnostic[]): TreeNode {
  if (profile.kind !== "table") return profile;
  const network = profile.entries.get("network");
  if (network?.kind !== "table") return profile;
  const domains = network.entries.get("domains");
  if (domains?.kind !== "table") return profile;
  const normalized = new Map<string, TreeNode>();
  for (const [pattern, node] of domains.entries) {
    const key = normalizeDomainPattern(pattern);
    const previous = normalized.get(key);
    if (previous && previous.kind === "leaf" && node.kind === "leaf" && previous.value !== node.value) {
      warnings.push({
        message: `domain pattern ${JSON.stringify(pattern)} is the same as an earlier key after normalization (${JSON.stringify(key)}) with a different decision; "deny" wins`,
        origin: node.origin,
      });
      if (previous.value === "deny") continue;
    }
    normalized.set(key, node);
  }
  const networkEntries = new Map(network.entries);
  networkEntries.set("domains", { ...domains, entries: normalized });
  const profileEntries = new Map(profile.entries);
  profileEntries.set("network", { ...network, entries: networkEntries });
  return { ...profile, entries: profileEntries };
}
