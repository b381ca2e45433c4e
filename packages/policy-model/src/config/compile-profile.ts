// Compiles a selected profile (folded TOML) into the ResolvedPolicy: workspace roots, filesystem, network, environment.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { CordonError, type Diagnostic } from "../errors.js";
import { computeEnvironment } from "../environment.js";
import { compileFilesystem, type CompiledFilesystem } from "../filesystem/compile.js";
import { findProtectedPaths } from "../filesystem/protected.js";
import { compileNetwork } from "../network/compile.js";
import type { Origin } from "../origin.js";
import type { NetworkPolicy, ResolvedPolicy } from "../resolved-policy.js";
import type { FilesystemTable, NetworkTable, ShellEnvironmentPolicyTable } from "../schema.js";
import { isDirectory, type HostContext } from "./context.js";
import { builtinProjection, DANGER_FULL_ACCESS, foldProfile, isBuiltinProfile } from "./profiles.js";
import { originAt, tableAt, toPlain, treeWithOrigin, type TreeTable } from "./tree.js";
import type { LoadedConfig, Selection } from "./types.js";

/** The effective TOML of a profile: a legacy translation, a built-in projection, or a folded defined profile (`cache`: see foldProfile). */
export function effectiveProfileTree(loaded: LoadedConfig, selection: Pick<Selection, "name" | "legacy">, cache?: Map<string, TreeTable>): TreeTable {
  if (selection.legacy?.tree) return selection.legacy.tree;
  if (isBuiltinProfile(selection.name)) return builtinProjection(selection.name);
  return foldProfile(selection.name, loaded.profiles, cache).tree;
}

/** `--add-dir` entries: resolved against cwd; each must be an existing directory (least surprise: a typo is an error, not a new writable path). */
export function addDirRoots(ctx: HostContext, addDirs: readonly string[] | undefined): string[] {
  return (addDirs ?? []).map((dir) => {
    const path = resolve(ctx.cwd, dir);
    if (!isDirectory(path)) throw new CordonError("E_PATH", `--add-dir ${JSON.stringify(dir)}: ${path} does not exist or is not a directory`);
    return path;
  });
}

/**
 * The profile's enabled `workspace_roots` (only `true` entries): `~` and `~/…` expand to the home
 * directory; other relative paths are resolved against cwd (as Codex does). A root that does not
 * exist is kept (the rule simply matches nothing yet) and reported as a warning.
 */
export function profileWorkspaceRoots(tree: TreeTable, ctx: HostContext, warnings: Diagnostic[]): string[] {
  const roots: string[] = [];
  for (const [key, node] of tableAt(tree, ["workspace_roots"])?.entries ?? []) {
    if (node.kind !== "leaf" || node.value !== true) continue;
    const path = key === "~" ? ctx.home : key.startsWith("~/") ? resolve(ctx.home, key.slice(2)) : isAbsolute(key) ? resolve(key) : resolve(ctx.cwd, key);
    if (!existsSync(path)) warnings.push({ message: `workspace root ${path} does not exist`, origin: node.origin, keyPath: ["workspace_roots", key] });
    roots.push(path);
  }
  return roots;
}

function unique(paths: readonly string[]): string[] {
  return [...new Set(paths)];
}

/** The paths the sandbox may never change (spec 4.4): cordon's dirs and every loaded policy file. */
export function policyPaths(loaded: LoadedConfig): { path: string; name: string }[] {
  const paths = [
    { path: loaded.context.cordonHome, name: "CORDON_HOME" },
    { path: loaded.context.systemDir, name: "CORDON_SYSTEM_DIR" },
  ];
  for (const layer of loaded.configLayers) if (layer.file) paths.push({ path: resolve(layer.file), name: "config" });
  for (const layer of loaded.requirementsLayers) if (layer.file) paths.push({ path: resolve(layer.file), name: "requirements" });
  return paths;
}

/** Filesystem + network of one profile tree (also used by checkConfig for every defined profile). */
export function compileProfileTree(
  tree: TreeTable,
  ctx: HostContext,
  workspaceRoots: readonly string[],
  keyPrefix: readonly string[] = [],
): { filesystem: CompiledFilesystem; network: NetworkPolicy } {
  const filesystemTable = tableAt(tree, ["filesystem"]);
  const networkTable = tableAt(tree, ["network"]);
  const filesystem = compileFilesystem(filesystemTable ? (toPlain(filesystemTable) as FilesystemTable) : undefined, {
    cwd: ctx.cwd,
    home: ctx.home,
    platform: ctx.platform,
    workspaceRoots,
    tmpdir: ctx.tmpdir,
    originOf: (keyPath) => originAt(tree, ["filesystem", ...keyPath]),
    keyPrefix: [...keyPrefix, "filesystem"],
  });
  const network = withKeyPrefix([...keyPrefix, "network"], () =>
    compileNetwork(networkTable ? (toPlain(networkTable) as NetworkTable) : undefined, (keyPath) => originAt(tree, ["network", ...keyPath])),
  );
  return { filesystem, network };
}

/** The key prefix errors in a profile's tables are reported under: `permissions.<name>` for defined profiles. */
export function profileKeyPrefix(loaded: LoadedConfig, selection: Pick<Selection, "name" | "legacy">): string[] {
  return !selection.legacy && loaded.profiles.has(selection.name) ? ["permissions", selection.name] : [];
}

/** compileNetwork reports key paths relative to the `network` table; re-issue its errors with the full path. */
function withKeyPrefix<T>(prefix: readonly string[], compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (!(error instanceof CordonError) || !error.keyPath) throw error;
    const old = new CordonError(error.code, "", { ...(error.origin ? { origin: error.origin } : {}), keyPath: error.keyPath }).message;
    const detail = error.message.startsWith(old) ? error.message.slice(old.length) : error.message;
    throw new CordonError(error.code, detail, {
      ...(error.origin ? { origin: error.origin } : {}),
      keyPath: [...prefix, ...error.keyPath],
      exitCode: error.exitCode,
      cause: error,
    });
  }
}

/** Assembles the ResolvedPolicy for a selection. */
export function compileSelection(loaded: LoadedConfig, selection: Selection): ResolvedPolicy {
  const ctx = loaded.context;
  const warnings: Diagnostic[] = [...loaded.warnings];
  const envTable = tableAt(loaded.config, ["shell_environment_policy"]);
  const environment = computeEnvironment(
    envTable ? (toPlain(envTable) as ShellEnvironmentPolicyTable) : undefined,
    loaded.options.env,
    selection.name,
  );
  const sources = {
    config: loaded.configLayers.flatMap((layer) => (layer.file ? [layer.file] : [])),
    requirements: loaded.requirementsLayers.flatMap((layer) => (layer.file ? [layer.file] : [])),
  };
  const caseSensitive = ctx.platform === "linux";
  const baseRoots = unique([ctx.projectRoot, ...addDirRoots(ctx, loaded.options.addDirs)]);

  if (selection.name === DANGER_FULL_ACCESS) {
    // No sandbox at all: read and write everywhere, unrestricted network, no protected paths.
    const origin: Origin = { kind: "builtin", detail: DANGER_FULL_ACCESS };
    const unrestrictedNetwork = treeWithOrigin(Object.assign(Object.create(null) as Record<string, unknown>, { enabled: true, mode: "full", allow_local_binding: true }), origin);
    return {
      schemaVersion: 1,
      profile: selection.name,
      unrestricted: true,
      platform: ctx.platform,
      cwd: ctx.cwd,
      home: ctx.home,
      workspaceRoots: baseRoots,
      filesystem: {
        rules: [{ path: "/", access: "write", origin, entry: ":root", symbolic: ":root" }],
        denyGlobs: [],
        globScanMaxDepth: null,
        caseSensitive,
        protectedPaths: [],
        minimal: false,
      },
      network: compileNetwork(toPlain(unrestrictedNetwork) as NetworkTable, () => origin),
      environment,
      sources,
      warnings,
    };
  }

  const tree = effectiveProfileTree(loaded, selection);
  const workspaceRoots = unique([...baseRoots, ...profileWorkspaceRoots(tree, ctx, warnings)]);
  const { filesystem, network } = compileProfileTree(tree, ctx, workspaceRoots, profileKeyPrefix(loaded, selection));
  warnings.push(...filesystem.warnings);
  return {
    schemaVersion: 1,
    profile: selection.name,
    unrestricted: false,
    platform: ctx.platform,
    cwd: ctx.cwd,
    home: ctx.home,
    workspaceRoots,
    filesystem: {
      rules: filesystem.rules,
      denyGlobs: filesystem.denyGlobs,
      globScanMaxDepth: filesystem.globScanMaxDepth,
      caseSensitive,
      protectedPaths: findProtectedPaths(filesystem.rules, policyPaths(loaded)),
      minimal: filesystem.minimal,
    },
    network,
    environment,
    sources,
    warnings,
  };
}
