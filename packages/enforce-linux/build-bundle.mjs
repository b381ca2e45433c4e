// Builds dist/bundle.js, the "./bundle" entry of @cordon/enforce-linux: the same public API as
// dist/index.js in one self-contained ES module (policy-model, egress-proxy, micromatch… inlined, Node
// built-ins external), so that `cordon run` loads one file instead of a tree of ~100 modules. Chunks
// split off for lazy imports stay in dist/ too: native.ts finds the package root as "one level above
// the file its code is in", which must hold for every emitted file.
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const packageDir = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(packageDir, "dist");

const result = await esbuild.build({
  entryPoints: { bundle: path.join(dist, "index.js") },
  outdir: dist,
  // Lazily imported modules (e.g. the egress proxy) become chunks, loaded only when used.
  splitting: true,
  chunkNames: "bundle-[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  metafile: true,
  logLevel: "warning",
  legalComments: "eof",
  // Inlined CommonJS dependencies (micromatch) require() Node built-ins: give the ES module a require.
  banner: { js: 'import { createRequire as __cordonCreateRequire } from "node:module";\nconst require = __cordonCreateRequire(import.meta.url);' },
});

const outputs = Object.keys(result.metafile.outputs).map((file) => path.resolve(file));
const outside = outputs.filter((file) => path.dirname(file) !== dist);
if (outside.length > 0) throw new Error(`bundle outputs must sit directly in dist/ (native.ts locates the package from them): ${outside.join(", ")}`);
const external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external && !(i.path.startsWith("node:") || builtinModules.includes(i.path))).map((i) => i.path));
if (external.length > 0) throw new Error(`dist/bundle.js leaves ${[...new Set(external)].join(", ")} unbundled`);
