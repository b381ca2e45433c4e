// The publishing rules every package.json in the monorepo must follow (see CONTRIBUTING.md, "Releases").
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  license?: string;
  os?: string[];
  cpu?: string[];
  gypfile?: boolean;
  files?: string[];
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  repository?: { directory?: string };
  publishConfig?: { access?: string; provenance?: boolean };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function workspaceManifests(): { dir: string; manifest: Manifest }[] {
  const result: { dir: string; manifest: Manifest }[] = [];
  for (const parent of ["packages", "apps"]) {
    for (const entry of readdirSync(path.join(repoRoot, parent), { withFileTypes: true })) {
      const file = path.join(repoRoot, parent, entry.name, "package.json");
      if (entry.isDirectory() && existsSync(file)) result.push({ dir: `${parent}/${entry.name}`, manifest: JSON.parse(readFileSync(file, "utf8")) as Manifest });
    }
  }
  return result;
}

const manifests = workspaceManifests();
const byName = new Map(manifests.map((entry) => [entry.manifest.name, entry.manifest]));
const BACKENDS = ["@cordon/enforce-linux", "@cordon/enforce-macos", "@cordon/enforce-windows"];

/** `^x.y.z` accepts `version` (the only range form the monorepo uses between its packages). */
function caretAccepts(range: string, version: string): boolean {
  const match = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const parts = version.split(".").map(Number);
  if (!match || parts.length !== 3) return false;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [vMajor = -1, vMinor = -1, vPatch = -1] = parts;
  if (vMajor !== major) return false;
  if (major === 0 && minor === 0) return vMinor === 0 && vPatch === patch;
  if (major === 0) return vMinor === minor && vPatch >= patch;
  return vMinor > minor || (vMinor === minor && vPatch >= patch);
}

describe("package manifests", () => {
  it("finds the six published packages", () => {
    expect([...byName.keys()].sort()).toEqual(["@cordon/egress-proxy", "@cordon/enforce-linux", "@cordon/enforce-macos", "@cordon/enforce-windows", "@cordon/policy-model", "cordon"]);
  });

  describe.each(manifests.map((entry) => [entry.manifest.name, entry] as const))("%s", (_name, { dir, manifest }) => {
    it("is ESM with an exports map (types first), engines, files without build info, and provenance", () => {
      expect(manifest.type).toBe("module");
      expect(manifest.license).toBe("Apache-2.0");
      expect(manifest.engines?.node).toBe(">=20.19");
      expect(manifest.exports?.["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
      expect(manifest.exports?.["./package.json"]).toBe("./package.json");
      expect(manifest.files).toContain("dist");
      expect(manifest.files).toContain("!dist/.tsbuildinfo");
      expect(manifest.repository?.directory).toBe(dir);
      expect(manifest.publishConfig).toEqual({ access: "public", provenance: true });
    });

    it("has no os/cpu in the source (stamped at pack time only) and no install-time script", () => {
      expect(manifest.os, "os in a workspace manifest breaks npm install on other OSes (EBADPLATFORM)").toBeUndefined();
      expect(manifest.cpu).toBeUndefined();
      for (const script of ["preinstall", "install", "postinstall", "prepare"]) expect(manifest.scripts?.[script], `scripts.${script}`).toBeUndefined();
    });

    it("depends on sibling packages with caret ranges their current versions satisfy", () => {
      for (const [dep, range] of Object.entries({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
        const sibling = byName.get(dep);
        if (!sibling) continue;
        expect(caretAccepts(range, sibling.version), `${manifest.name} -> ${dep}@${range} (workspace has ${sibling.version})`).toBe(true);
      }
    });
  });

  it("stamps os/cpu into each backend's tarball via prepack and removes it via postpack", () => {
    for (const name of BACKENDS) {
      const scripts = byName.get(name)?.scripts ?? {};
      expect(scripts.prepack, `${name} prepack`).toMatch(/node \.\.\/\.\.\/tools\/platform-manifest\.mjs stamp$/);
      expect(scripts.postpack, `${name} postpack`).toBe("node ../../tools/platform-manifest.mjs unstamp");
    }
  });

  it("ships enforce-linux's prebuilds without node-gyp at install time", () => {
    const linux = byName.get("@cordon/enforce-linux");
    expect(linux?.gypfile, 'a binding.gyp without "gypfile": false makes npm run node-gyp on install').toBe(false);
    expect(linux?.files).toContain("prebuilds");
    expect(linux?.scripts?.prepack).toContain("collect-prebuilds.mjs verify --any");
  });

  it("gives the CLI the bin `cordon`, policy-model as a dependency and the three backends as optional dependencies", () => {
    const cli = byName.get("cordon");
    expect(cli?.bin).toEqual({ cordon: "./dist/cordon.cjs" });
    expect(Object.keys(cli?.dependencies ?? {})).toContain("@cordon/policy-model");
    expect(Object.keys(cli?.optionalDependencies ?? {}).sort()).toEqual(BACKENDS);
    for (const backend of BACKENDS) expect(Object.keys(cli?.dependencies ?? {}), `${backend} must be optional, not required`).not.toContain(backend);
  });
});
