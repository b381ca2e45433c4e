#!/usr/bin/env node
// Checks that the committed editor schemas (packages/policy-model/schema/*.schema.json) match what the
// built policy-model generates; `--write` regenerates them. Build first: npm run build -w @cordon/policy-model
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const packageDir = join(repo, "packages", "policy-model");
const dist = join(packageDir, "dist", "index.js");
const write = process.argv.includes("--write");

if (!existsSync(dist)) {
  console.error(`check-schema: ${relative(repo, dist)} is missing; build first: npm run build -w @cordon/policy-model`);
  process.exit(2);
}
const { configJsonSchemaText } = await import(pathToFileURL(dist).href);

let drift = false;
for (const kind of ["config", "requirements"]) {
  const file = join(packageDir, "schema", `${kind}.schema.json`);
  const expected = configJsonSchemaText(kind);
  if (write) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, expected);
    console.log(`check-schema: wrote ${relative(repo, file)}`);
    continue;
  }
  const actual = existsSync(file) ? readFileSync(file, "utf8") : null;
  if (actual !== expected) {
    drift = true;
    console.error(`check-schema: ${relative(repo, file)} ${actual === null ? "is missing" : "is out of date"} (the zod schema in packages/policy-model/src/schema.ts changed).`);
    console.error(`  see the difference: node tools/check-schema.mjs --write && git diff -- ${relative(repo, file)}`);
  }
}
if (drift) process.exit(1);
if (!write) console.log("check-schema: schemas are up to date");
