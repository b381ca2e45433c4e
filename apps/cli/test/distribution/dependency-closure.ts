// Finds the installed third-party packages the published cordon packages need at run time (to seed a registry without uplinks).
import { existsSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** Real directory of the installed copy in the monorepo's node_modules. */
  readonly dir: string;
}

interface Manifest {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
}

/** Node's lookup: <dir>/node_modules/<name>, then each parent's. */
function resolveInstalled(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(path.join(candidate, "package.json"))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Dependencies npm installs for a package: dependencies, optionalDependencies and required peers. */
function runtimeDependencies(manifest: Manifest): { name: string; optional: boolean }[] {
  const result = new Map<string, boolean>();
  for (const name of Object.keys(manifest.dependencies ?? {})) result.set(name, false);
  for (const name of Object.keys(manifest.optionalDependencies ?? {})) result.set(name, true);
  for (const name of Object.keys(manifest.peerDependencies ?? {})) {
    if (!result.has(name)) result.set(name, manifest.peerDependenciesMeta?.[name]?.optional === true);
  }
  return [...result].map(([name, optional]) => ({ name, optional }));
}

/**
 * Every third-party package (name@version, deduplicated) reachable from `roots` through run-time
 * dependencies, using the copies installed in the monorepo. Workspace packages are followed but not returned.
 * @throws when a required dependency is not installed (the closure would be incomplete).
 */
export function thirdPartyClosure(roots: readonly string[], workspaceNames: ReadonlySet<string>): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const visited = new Set<string>();
  const queue = roots.map((dir) => realpathSync(dir));
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    if (visited.has(dir)) continue;
    visited.add(dir);
    const manifest = readManifest(dir);
    for (const dep of runtimeDependencies(manifest)) {
      const installed = resolveInstalled(dir, dep.name);
      if (installed === undefined) {
        if (dep.optional) continue;
        throw new Error(`${manifest.name ?? dir} depends on ${dep.name}, which is not installed in the monorepo (run npm ci)`);
      }
      const depManifest = readManifest(installed);
      if (!workspaceNames.has(dep.name)) {
        const key = `${depManifest.name}@${depManifest.version}`;
        if (!found.has(key)) found.set(key, { name: depManifest.name ?? dep.name, version: depManifest.version ?? "0.0.0", dir: installed });
      }
      queue.push(installed);
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
