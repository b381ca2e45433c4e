// Lists this monorepo's workspace packages (dir, name, version, manifest) in dependency order, for the release tools.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root (this file lives in tools/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The workspace globs in the root package.json are all of the `dir/*` form; anything else is a mistake here. */
function workspaceDirs() {
  const root = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));
  const dirs = [];
  for (const pattern of root.workspaces ?? []) {
    if (!pattern.endsWith("/*") || pattern.slice(0, -2).includes("*")) {
      throw new Error(`workspace-packages: unsupported workspace pattern ${JSON.stringify(pattern)} (only "dir/*")`);
    }
    const parent = path.join(repoRoot, pattern.slice(0, -2));
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      const dir = path.join(parent, entry.name);
      if (entry.isDirectory() && existsSync(path.join(dir, "package.json"))) dirs.push(dir);
    }
  }
  return dirs;
}

/**
 * Every workspace package, dependencies before dependents (so a registry can be filled in this order).
 * @returns {{ dir: string, name: string, version: string, private: boolean, manifest: Record<string, any> }[]}
 */
export function workspacePackages() {
  const packages = workspaceDirs().map((dir) => {
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    return { dir, name: manifest.name, version: manifest.version, private: manifest.private === true, manifest };
  });
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  const ordered = [];
  const state = new Map(); // name -> "visiting" | "done"
  const visit = (pkg, chain) => {
    if (state.get(pkg.name) === "done") return;
    if (state.get(pkg.name) === "visiting") throw new Error(`workspace-packages: dependency cycle ${[...chain, pkg.name].join(" -> ")}`);
    state.set(pkg.name, "visiting");
    const { dependencies = {}, optionalDependencies = {}, peerDependencies = {} } = pkg.manifest;
    for (const dep of Object.keys({ ...dependencies, ...optionalDependencies, ...peerDependencies }).sort()) {
      const target = byName.get(dep);
      if (target) visit(target, [...chain, pkg.name]);
    }
    state.set(pkg.name, "done");
    ordered.push(pkg);
  };
  for (const pkg of [...packages].sort((a, b) => a.name.localeCompare(b.name))) visit(pkg, []);
  return ordered;
}

/** Workspace packages that get published (not `private`). */
export function publicPackages() {
  return workspacePackages().filter((pkg) => !pkg.private);
}
