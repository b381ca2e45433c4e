#!/usr/bin/env node
// Writes a backend's `os`/`cpu` fields into its package.json for the length of `npm pack`/`npm publish` only.
//
//   prepack:  node ../../tools/platform-manifest.mjs stamp      (cwd: the package; npm runs scripts there)
//   postpack: node ../../tools/platform-manifest.mjs unstamp
//   CI/tests: node tools/platform-manifest.mjs check            (no source manifest carries os/cpu)
//
// Why not keep `os` in the source manifest: npm refuses to install a workspace whose member has an `os`
// that excludes the current OS (EBADPLATFORM, npm/cli#6138), so the monorepo would only install on Linux.
// Published tarballs need it so that `npm install cordon` skips the other OSes' optional backends.
// `unstamp` deletes just those two keys instead of restoring a saved copy, so an edit someone made to
// the manifest while the pack ran (e.g. `npm pkg set`) is kept.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** The platform fields each published backend carries. Packages not listed get none. */
export const PLATFORM_FIELDS = Object.freeze({
  "@cordon/enforce-linux": Object.freeze({ os: ["linux"], cpu: ["x64", "arm64"] }),
  "@cordon/enforce-macos": Object.freeze({ os: ["darwin"] }),
  "@cordon/enforce-windows": Object.freeze({ os: ["win32"] }),
});

const STAMPED_KEYS = ["os", "cpu"];

class ManifestError extends Error {}

function readManifest(dir) {
  const file = path.join(dir, "package.json");
  const text = readFileSync(file, "utf8");
  const indent = /^(\s+)"/m.exec(text)?.[1] ?? "  ";
  return { file, text, indent, manifest: JSON.parse(text) };
}

/** Writes via a temporary file and rename, so nobody reads a half-written manifest. */
function writeManifest({ file, indent }, manifest) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(manifest, null, indent)}\n`);
  renameSync(temporary, file);
}

/** Returns a copy with `fields` inserted right after `engines` (or at the end), the rest in order. */
function withFields(manifest, fields) {
  const result = {};
  let inserted = false;
  for (const [key, value] of Object.entries(manifest)) {
    if (STAMPED_KEYS.includes(key)) continue;
    result[key] = value;
    if (key === "engines") {
      Object.assign(result, fields);
      inserted = true;
    }
  }
  return inserted ? result : { ...result, ...fields };
}

function sameList(a, b) {
  return Array.isArray(a) && a.length === b.length && a.every((item, index) => item === b[index]);
}

/**
 * Adds the package's `os`/`cpu` (from PLATFORM_FIELDS) to dir/package.json.
 * Idempotent (a pack that crashed before postpack leaves the same values behind); refuses values that differ.
 * @throws ManifestError for a package without platform fields, or a manifest with different ones.
 */
export function stamp(dir) {
  const read = readManifest(dir);
  const fields = PLATFORM_FIELDS[read.manifest.name];
  if (!fields) throw new ManifestError(`${read.manifest.name} has no platform fields to stamp (see PLATFORM_FIELDS in tools/platform-manifest.mjs)`);
  for (const key of STAMPED_KEYS) {
    const present = read.manifest[key];
    if (present !== undefined && !sameList(present, fields[key] ?? [])) {
      throw new ManifestError(
        `${read.file}: "${key}" is ${JSON.stringify(present)} but the release stamps ${JSON.stringify(fields[key] ?? null)}; ` +
          "source manifests must not carry os/cpu (npm install would fail on other OSes) — delete it",
      );
    }
  }
  writeManifest(read, withFields(read.manifest, structuredClone(fields)));
  return fields;
}

/** Removes `os` and `cpu` from dir/package.json (no-op when absent). */
export function unstamp(dir) {
  const read = readManifest(dir);
  if (STAMPED_KEYS.every((key) => read.manifest[key] === undefined)) return false;
  writeManifest(read, withFields(read.manifest, {}));
  return true;
}

/** Names of workspace manifests that carry os/cpu (must be none outside a pack). */
export async function manifestsWithPlatformFields() {
  const { workspacePackages } = await import("./workspace-packages.mjs");
  const { withPackLock } = await import("./pack-all.mjs");
  // Under the pack lock: a pack in progress legitimately has the fields stamped for a moment.
  return withPackLock(() =>
    workspacePackages()
      .filter((pkg) => STAMPED_KEYS.some((key) => pkg.manifest[key] !== undefined))
      .map((pkg) => `${pkg.name} (${path.join(pkg.dir, "package.json")})`),
  );
}

async function main(argv) {
  const [command] = argv;
  const dir = process.cwd();
  switch (command) {
    case "stamp": {
      const fields = stamp(dir);
      console.log(`platform-manifest: stamped ${JSON.stringify(fields)} into ${path.join(dir, "package.json")}`);
      return 0;
    }
    case "unstamp":
      if (unstamp(dir)) console.log(`platform-manifest: removed os/cpu from ${path.join(dir, "package.json")}`);
      return 0;
    case "check": {
      const offenders = await manifestsWithPlatformFields();
      if (offenders.length === 0) {
        console.log("platform-manifest: no source manifest carries os/cpu");
        return 0;
      }
      console.error(`platform-manifest: os/cpu found in source manifests (run \`node tools/platform-manifest.mjs unstamp\` in each): ${offenders.join(", ")}`);
      return 1;
    }
    default:
      console.error("usage: platform-manifest.mjs stamp|unstamp|check");
      return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    console.error(`platform-manifest: ${error instanceof ManifestError ? error.message : error?.stack ?? error}`);
    process.exitCode = 1;
  }
}
