// Builds the `cordon` executable for fast start-up (run after tsc, which builds dist/ for library users):
//   dist/cordon.js      the bin: src/main.ts; answers --version itself, imports one of the two below
//   dist/cordon-cli.js  src/cli.ts with @cordon/policy-model, zod, smol-toml, micromatch and ipaddr.js
//                       inlined: one file to compile instead of ~150 ESM modules to resolve and link
//   dist/index.js       (tsc) the library build, used by the commands that load an OS backend
// The OS backends stay separate optional packages, imported by their literal names at run time.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const cliDir = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(cliDir, "dist");
const BACKENDS = ["@cordon/enforce-linux", "@cordon/enforce-macos", "@cordon/enforce-windows"];

/** The bin's two dynamic imports point at built files beside it instead of being bundled into it. */
const binImports = {
  name: "cordon-bin-imports",
  setup(build) {
    const targets = { "./index.js": "./index.js", "./cli.js": "./cordon-cli.js" };
    build.onResolve({ filter: /^\.\/(index|cli)\.js$/ }, (args) => {
      if (args.kind !== "dynamic-import" || !args.importer.endsWith(`${path.sep}main.ts`)) return undefined;
      return { path: targets[args.path], external: true };
    });
  },
};

/**
 * `import { z } from "zod"` binds zod's re-exported namespace object, which esbuild cannot tree-shake:
 * it would inline every zod locale (~600 KB). The same functions imported as a namespace from the
 * "zod/v4" entry are shaken to what the schemas use. Same zod module instance, same behaviour.
 */
const zodNamespace = {
  name: "cordon-zod-namespace",
  setup(build) {
    build.onLoad({ filter: /[\\/]policy-model[\\/]dist[\\/].*\.js$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replaceAll('import { z } from "zod";', 'import * as z from "zod/v4";'),
      loader: "js",
    }));
  },
};

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  metafile: true,
  logLevel: "warning",
  legalComments: "none",
};

const bin = await esbuild.build({ ...common, entryPoints: [path.join(cliDir, "src/main.ts")], outfile: path.join(dist, "cordon.js"), plugins: [binImports] });
const cli = await esbuild.build({
  ...common,
  entryPoints: [path.join(cliDir, "src/cli.ts")],
  outfile: path.join(dist, "cordon-cli.js"),
  external: BACKENDS,
  plugins: [zodNamespace],
  // micromatch and friends are CommonJS and require() Node built-ins.
  banner: { js: 'import { createRequire as __cordonCreateRequire } from "node:module";\nconst require = __cordonCreateRequire(import.meta.url);' },
});

checkBin(bin.metafile);
checkCli(cli.metafile);
writeNotices(cli.metafile);

/** The bin must stay tiny: main.ts and version.ts, importing only Node built-ins and the two files. */
function checkBin(metafile) {
  const inputs = Object.keys(metafile.inputs).map((file) => path.basename(file)).sort();
  if (inputs.join() !== "main.ts,version.ts") throw new Error(`dist/cordon.js must bundle only main.ts and version.ts, got ${inputs.join(", ")}`);
  const imports = Object.values(metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
  const unexpected = imports.filter((p) => !isBuiltin(p) && p !== "./index.js" && p !== "./cordon-cli.js");
  if (unexpected.length > 0) throw new Error(`dist/cordon.js imports ${unexpected.join(", ")}`);
}

/** Nothing but Node built-ins and the backends may stay external, and zod must have been tree-shaken. */
function checkCli(metafile) {
  const imports = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
  const unexpected = imports.filter((p) => !isBuiltin(p) && !BACKENDS.includes(p));
  if (unexpected.length > 0) throw new Error(`dist/cordon-cli.js leaves ${[...new Set(unexpected)].join(", ")} unbundled`);
  const locales = inlinedFiles(metafile).filter((file) => /zod[\\/]v4[\\/]locales[\\/](?!en\.js$|index\.js$)/.test(file));
  if (locales.length > 0) throw new Error(`zod was not tree-shaken (${locales.length} locales inlined): does policy-model still import { z } from "zod"?`);
}

/** Source files that contributed code to the output (the metafile's inputs include tree-shaken ones). */
function inlinedFiles(metafile) {
  return Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file));
}

function isBuiltin(specifier) {
  return specifier.startsWith("node:") || builtinModules.includes(specifier);
}

/** dist/cordon-cli.js.LICENSES.txt: the license of every third-party package inlined into the bundle. */
function writeNotices(metafile) {
  const packages = new Map();
  for (const file of inlinedFiles(metafile)) {
    const match = /(?:^|[\\/])node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
    if (!match) continue;
    const dir = path.resolve(cliDir, file.slice(0, match.index + match[0].length));
    packages.set(match[1], dir);
  }
  const sections = [...packages].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, dir]) => {
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    const licenseFile = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE"].map((f) => path.join(dir, f)).find((f) => existsSync(f));
    if (!licenseFile) throw new Error(`${name}: no LICENSE file to ship with the bundle`);
    return `${name}@${manifest.version} (${manifest.license})\n\n${readFileSync(licenseFile, "utf8").trim()}\n`;
  });
  const header = "Third-party packages inlined into cordon-cli.js, with their licenses.\n";
  writeFileSync(path.join(dist, "cordon-cli.js.LICENSES.txt"), [header, ...sections].join(`\n${"-".repeat(72)}\n\n`));
}
