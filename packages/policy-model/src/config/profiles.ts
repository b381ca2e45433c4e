// Built-in profiles, their TOML projections, and `extends` folding (spec 3).
import { CordonError } from "../errors.js";
import type { Origin } from "../origin.js";
import { mergeTrees, treeWithOrigin, withoutKeys, type TreeTable } from "./tree.js";

export const READ_ONLY = ":read-only";
export const WORKSPACE = ":workspace";
export const DANGER_FULL_ACCESS = ":danger-full-access";

/** Every built-in profile, in display order. */
export const BUILTIN_PROFILES: readonly string[] = [READ_ONLY, WORKSPACE, DANGER_FULL_ACCESS];

/** The built-ins a profile may extend (`:danger-full-access` is no sandbox at all, so nothing can build on it). */
const EXTENSIBLE_BUILTINS: readonly string[] = [READ_ONLY, WORKSPACE];

export function isBuiltinProfile(name: string): boolean {
  return BUILTIN_PROFILES.includes(name);
}

/** A profile defined in a config or requirements layer (merged across layers). */
export interface DefinedProfile {
  readonly name: string;
  readonly tree: TreeTable;
  /** Defined in requirements (`[permissions.X]` in requirements.toml). */
  readonly managed: boolean;
}

export type ProfileCatalog = ReadonlyMap<string, DefinedProfile>;

/** The TOML form of an extensible built-in, so a child overrides it key by key. */
export function builtinProjection(name: string): TreeTable {
  const origin: Origin = { kind: "builtin", detail: name };
  if (name === READ_ONLY) return treeWithOrigin(table({ filesystem: table({ ":root": "read" }) }), origin);
  if (name === WORKSPACE) {
    return treeWithOrigin(
      table({
        filesystem: table({
          ":root": "read",
          ":workspace_roots": table({ ".": "write" }),
          ":tmpdir": "write",
          ":slash_tmp": "write",
        }),
      }),
      origin,
    );
  }
  throw new Error(`no TOML projection for ${name}`);
}

function table(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, entries);
}

/**
 * The effective TOML of a profile after `extends`: folds from the farthest ancestor to the profile,
 * each child deep-merging over its parent (the parent's `description` and `extends` are dropped).
 * A managed profile may not extend a config-defined one.
 * `name` must be an extensible built-in or a defined profile. Throws CordonError E_PROFILE for an
 * undefined parent, a parent that cannot be extended, or a cycle (`a -> b -> a`).
 */
export function foldProfile(name: string, catalog: ProfileCatalog, cache?: Map<string, TreeTable>): { tree: TreeTable; chain: string[] } {
  const chain = [name];
  const seen = new Set(chain);
  const trees: TreeTable[] = [];
  for (let current = name; ; ) {
    const cached = cache?.get(current);
    if (cached) {
      // Already folded (and checked) while folding another profile.
      trees.push(cached);
      break;
    }
    if (EXTENSIBLE_BUILTINS.includes(current)) {
      trees.push(builtinProjection(current));
      break;
    }
    const profile = catalog.get(current);
    if (!profile) throw new Error(`foldProfile: ${current} is not defined`);
    trees.push(profile.tree);
    const extendsNode = profile.tree.entries.get("extends");
    if (extendsNode?.kind !== "leaf" || typeof extendsNode.value !== "string") break;
    const parent = extendsNode.value;
    const where = { origin: extendsNode.origin, keyPath: ["permissions", current, "extends"] };
    if (parent === DANGER_FULL_ACCESS) {
      throw new CordonError("E_PROFILE", `permissions profile \`${current}\` cannot extend unsupported built-in profile \`${parent}\` (it disables the sandbox; only :read-only and :workspace can be extended)`, where);
    }
    if (parent.startsWith(":") && !EXTENSIBLE_BUILTINS.includes(parent)) {
      throw new CordonError("E_PROFILE", `permissions profile \`${current}\` extends unknown built-in profile \`${parent}\` (built-ins that can be extended: :read-only, :workspace)`, where);
    }
    if (!parent.startsWith(":") && !catalog.has(parent)) {
      throw new CordonError("E_PROFILE", `permissions profile \`${current}\` extends undefined profile \`${parent}\``, where);
    }
    if (profile.managed && catalog.get(parent)?.managed === false) {
      // Least privilege: a managed profile must not inherit rules the user controls.
      throw new CordonError(
        "E_PROFILE",
        `managed permissions profile \`${current}\` cannot extend \`${parent}\`, which is defined in a config layer (managed profiles may extend only :read-only, :workspace and other managed profiles)`,
        where,
      );
    }
    if (seen.has(parent)) {
      throw new CordonError("E_PROFILE", `permissions profile inheritance cycle detected: ${[...chain, parent].join(" -> ")}`, where);
    }
    chain.push(parent);
    seen.add(parent);
    current = parent;
  }
  // Fold from the farthest ancestor; `cache` (name -> folded tree) lets checkConfig fold every profile in linear time.
  let folded = trees[trees.length - 1] as TreeTable;
  if (trees.length === 1 && !EXTENSIBLE_BUILTINS.includes(name)) cache?.set(name, folded);
  for (let i = trees.length - 2; i >= 0; i--) {
    folded = mergeTrees(withoutKeys(folded, ["description", "extends"]), trees[i] as TreeTable);
    cache?.set(chain[i] as string, folded);
  }
  return { tree: folded, chain };
}
