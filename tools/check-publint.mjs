#!/usr/bin/env node
// Lints what would be published: packs every public package (prepack stamping included) and runs publint on the tarball.
//
//   node tools/check-publint.mjs [--strict]      (after `npm run build`; exits 1 on any publint error,
//                                                 and with --strict on warnings too)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { packOne } from "./pack-all.mjs";
import { publicPackages } from "./workspace-packages.mjs";

/**
 * Runs publint on each public package's packed tarball.
 * @returns {Promise<{ name: string, errors: string[], warnings: string[], suggestions: string[] }[]>}
 */
export async function lintPackages({ strict = false } = {}) {
  const outDir = mkdtempSync(path.join(os.tmpdir(), "cordon-publint-"));
  try {
    const results = [];
    for (const pkg of publicPackages()) {
      const { tarball } = packOne(pkg.dir, outDir);
      const bytes = readFileSync(tarball);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const { messages, pkg: manifest } = await publint({ pack: { tarball: buffer }, level: "suggestion", strict });
      const text = (type) => messages.filter((message) => message.type === type).map((message) => formatMessage(message, manifest) ?? message.code);
      results.push({ name: pkg.name, errors: text("error"), warnings: text("warning"), suggestions: text("suggestion") });
    }
    return results;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const strict = process.argv.includes("--strict");
  const results = await lintPackages({ strict });
  let failed = false;
  for (const result of results) {
    const clean = result.errors.length === 0 && result.warnings.length === 0 && result.suggestions.length === 0;
    console.log(`publint ${result.name}: ${clean ? "all good" : `${result.errors.length} error(s), ${result.warnings.length} warning(s), ${result.suggestions.length} suggestion(s)`}`);
    for (const line of result.errors) console.log(`  error: ${line}`);
    for (const line of result.warnings) console.log(`  warning: ${line}`);
    for (const line of result.suggestions) console.log(`  suggestion: ${line}`);
    if (result.errors.length > 0) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}
