// Loads the bundled CLI (dist/cordon-cli.cjs) with the V8 code cache that was made for it at build time.
// The cache only ever comes from the installed package, next to the bundle: it is never written at run
// time, nor read from a writable place such as a cache directory (a planted cache would be planted code).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import type { BackendImporter } from "./backend.js";

/** What the bundle exports: the CLI as a function (see cli.ts) and the bin's backend importer hook (backend.ts). */
export interface BundledCli {
  runCli(argv: readonly string[]): Promise<number>;
  useBackendImporter(importer: BackendImporter): void;
}

/** The bundle and its code cache, beside this file in dist/ (see build.mjs). */
export const BUNDLE_FILE = fileURLToPath(new URL("./cordon-cli.cjs", import.meta.url));
export const CODE_CACHE_FILE = `${BUNDLE_FILE}.v8-cache`;

/** The CommonJS wrapper the bundle runs in; build.mjs makes the cache for exactly this source text. */
function wrap(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

/**
 * Compiles the bundle, consuming `cachedData` when given. V8 checks the cache against the source, its
 * own version and flags; a cache it rejects (another Node version, other V8 flags) only costs the
 * compile it would have saved, and the bundle is compiled from source as usual.
 */
export function compileBundle(cachedData?: Buffer): Script {
  // The bundle is pure ASCII (build.mjs checks), which latin1 decodes exactly and ~3x faster than utf8.
  const source = readFileSync(BUNDLE_FILE, "latin1");
  return new Script(wrap(source), cachedData === undefined ? { filename: BUNDLE_FILE } : { filename: BUNDLE_FILE, cachedData });
}

/** Runs the compiled bundle once and returns its exports. */
export function evaluateBundle(script: Script): BundledCli {
  const module = { exports: {} as BundledCli };
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  wrapper(module.exports, createRequire(BUNDLE_FILE), module, BUNDLE_FILE, path.dirname(BUNDLE_FILE));
  return module.exports;
}

/** The bundled CLI, compiled with the shipped code cache when there is one. */
export function loadBundledCli(): BundledCli {
  return evaluateBundle(compileBundle(readCodeCache()));
}

function readCodeCache(): Buffer | undefined {
  try {
    return readFileSync(CODE_CACHE_FILE);
  } catch {
    return undefined; // not shipped (e.g. a build without it): compile from source
  }
}
