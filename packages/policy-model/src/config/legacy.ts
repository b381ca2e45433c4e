// The legacy `sandbox_mode` / `[sandbox_workspace_write]` settings and their translation to a profile (spec 7).
import type { Diagnostic } from "../errors.js";
import type { Origin } from "../origin.js";
import { DANGER_FULL_ACCESS, READ_ONLY, WORKSPACE, builtinProjection } from "./profiles.js";
import { formatOrigin } from "../origin.js";
import { tableAt, withNode, type TreeNode, type TreeTable } from "./tree.js";

/** Where the merged config uses legacy settings (for the no-compose error and the "ignored" warning). */
export interface LegacyPresence {
  readonly origin: Origin;
  /** `sandbox_mode` or `sandbox_workspace_write`. */
  readonly key: string;
}

/** A translated legacy selection: a built-in name plus its (possibly adjusted) TOML projection. */
export interface LegacyProfile {
  readonly name: string;
  /** Undefined for `:danger-full-access` (no sandbox). */
  readonly tree: TreeTable | undefined;
  readonly presence: LegacyPresence;
}

/** The legacy key the merged config sets, if any (`sandbox_mode` first). */
export function findLegacy(config: TreeTable): LegacyPresence | undefined {
  for (const key of ["sandbox_mode", "sandbox_workspace_write"]) {
    const node = config.entries.get(key);
    if (node) return { origin: node.origin, key };
  }
  return undefined;
}

export function describeLegacy(presence: LegacyPresence): string {
  return `legacy setting ${presence.key} (${formatOrigin(presence.origin)})`;
}

/**
 * Translates legacy settings: read-only → :read-only; workspace-write → :workspace plus each
 * `writable_roots` entry as "write", `network_access = true` → network enabled in "full" mode,
 * `exclude_tmpdir_env_var` / `exclude_slash_tmp` remove `:tmpdir` / `:slash_tmp`;
 * danger-full-access → :danger-full-access. A `[sandbox_workspace_write]` table without
 * `sandbox_mode` describes the default workspace mode, so it is read as workspace-write.
 */
export function translateLegacy(config: TreeTable, presence: LegacyPresence, warnings: Diagnostic[]): LegacyProfile {
  const modeNode = config.entries.get("sandbox_mode");
  const mode = modeNode?.kind === "leaf" && typeof modeNode.value === "string" ? modeNode.value : "workspace-write";
  const settings = tableAt(config, ["sandbox_workspace_write"]);
  if (mode !== "workspace-write" && settings) {
    warnings.push({
      message: `[sandbox_workspace_write] is ignored because sandbox_mode is "${mode}"`,
      origin: settings.origin,
      keyPath: ["sandbox_workspace_write"],
    });
  }
  if (mode === "danger-full-access") return { name: DANGER_FULL_ACCESS, tree: undefined, presence };
  if (mode === "read-only") return { name: READ_ONLY, tree: builtinProjection(READ_ONLY), presence };

  let tree = builtinProjection(WORKSPACE);
  if (settings) {
    const roots = settings.entries.get("writable_roots");
    if (roots?.kind === "leaf" && Array.isArray(roots.value)) {
      roots.value.forEach((root, index) => {
        const origin = roots.elementOrigins?.[index] ?? roots.origin;
        tree = withNode(tree, ["filesystem", String(root)], { kind: "leaf", origin, value: "write" });
      });
    }
    const network = settings.entries.get("network_access");
    if (network?.kind === "leaf" && network.value === true) {
      const leaf = (value: unknown): TreeNode => ({ kind: "leaf", origin: network.origin, value });
      tree = withNode(tree, ["network", "enabled"], leaf(true));
      tree = withNode(tree, ["network", "mode"], leaf("full"));
    }
    if (isTrue(settings.entries.get("exclude_tmpdir_env_var"))) tree = withNode(tree, ["filesystem", ":tmpdir"], undefined);
    if (isTrue(settings.entries.get("exclude_slash_tmp"))) tree = withNode(tree, ["filesystem", ":slash_tmp"], undefined);
  }
  return { name: WORKSPACE, tree, presence };
}

function isTrue(node: TreeNode | undefined): boolean {
  return node?.kind === "leaf" && node.value === true;
}
