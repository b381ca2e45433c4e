// Builds the `cordon` executable for fast start-up. Runs after tsc, which builds dist/ for library users.
//   dist/cordon.cjs                 the bin (src/main.ts with bundled-cli.ts, version.ts and write.ts;
//                                   CommonJS starts faster than an ES module entry)
//   dist/cordon-cli.cjs             src/cli.ts with @cordon/policy-model, zod, smol-toml, micromatch and
//                                   ipaddr.js inlined: one script instead of ~150 ES modules; zod starts
//                                   only when a layer is validated
//   dist/cordon-cli.cjs.v8-cache    V8's code cache for it, made here by running it (see bundled-cli.ts)
//   dist/cordon-cli.cjs.LICENSES.txt  the licenses of the third-party code inlined into it
// The commands that load an OS backend (run, doctor, plan) run on the bundle too: the backends stay
// separate optional packages, which the bin imports by their literal names (on Linux the package's
// self-contained "./bundle" entry) and hands to the bundle through backend.ts's useBackendImporter.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const cliDir = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(cliDir, "dist");
const BACKENDS = ["@cordon/enforce-linux", "@cordon/enforce-macos", "@cordon/enforce-windows"];
const BUNDLE = path.join(dist, "cordon-cli.cjs");
const BIN = path.join(dist, "cordon.cjs");

/** A typical config layer for the code cache warm-up (see makeCodeCache). */
const WARM_UP_CONFIG = `default_permissions = "dev"
[permissions.dev]
extends = ":workspace"
[permissions.dev.filesystem]
":workspace_roots" = { "." = "write", "**/*.env" = "deny" }
"~/.ssh" = "deny"
[permissions.dev.network]
enabled = true
[permissions.dev.network.domains]
"**.github.com" = "allow"
[shell_environment_policy]
inherit = "core"
`;

/** The backend packages the bin imports for the bundle, by these literal names (see main.ts). */
const BIN_BACKENDS = ["@cordon/enforce-linux/bundle", "@cordon/enforce-macos", "@cordon/enforce-windows"];

/** The bundle's entry: the CLI, and the hook through which the bin hands it a backend. */
const BUNDLE_ENTRY = {
  contents: 'export { runCli } from "./src/cli.ts";\nexport { useBackendImporter } from "./src/backend.ts";\n',
  resolveDir: cliDir,
  sourcefile: "cordon-cli-entry.ts",
  loader: "ts",
};

/**
 * The bundle never imports a backend package itself (code run by node:vm cannot import()): the bin
 * supplies the backend (useBackendImporter). Without one, an import fails closed with this message.
 */
const noBackends = {
  name: "cordon-no-backends",
  setup(build) {
    build.onResolve({ filter: /^@cordon\/enforce-(linux|macos|windows)$/ }, (args) => ({ path: args.path, namespace: "cordon-no-backend" }));
    build.onLoad({ filter: /.*/, namespace: "cordon-no-backend" }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`the bundled CLI does not load ${args.path} itself: the cordon bin supplies the backend`)});`,
      loader: "js",
    }));
  },
};

/**
 * `import { z } from "zod"` binds zod's re-exported namespace object, which esbuild cannot tree-shake:
 * it would inline every zod locale (~600 KB). The same functions imported as a namespace from the
 * "zod/v4" entry are shaken to what the schemas use. Same zod module, same behaviour.
 */
const zodNamespace = {
  name: "cordon-zod-namespace",
  setup(build) {
    build.onLoad({ filter: /[\\/]policy-model[\\/]dist[\\/].*\.js$/, namespace: "file" }, (args) => ({ contents: withZodNamespace(readFileSync(args.path, "utf8")), loader: "js" }));
  },
};

function withZodNamespace(source) {
  return source.replaceAll('import { z } from "zod";', 'import * as z from "zod/v4";');
}

/**
 * zod's start-up (module evaluation and building the schemas, ~10 ms) is only needed when a layer is
 * validated or a JSON Schema printed: `cordon explain` with no config file needs none of it. In
 * policy-model, config/ reaches zod only through the functions of config/layer-schema.js; the bundle
 * gets a facade with the same functions that require() the real module on first call, so esbuild
 * wraps it, schema.js and zod in lazily run initialisers. Behaviour is the same; only the moment
 * zod loads moves.
 */
const LAYER_SCHEMA = /[\\/]policy-model[\\/]dist[\\/]config[\\/]layer-schema\.js$/;
const LAYER_SCHEMA_FUNCTIONS = ["layerJsonSchema", "layerSchema"];
const lazyZod = {
  name: "cordon-lazy-zod",
  setup(build) {
    build.onLoad({ filter: LAYER_SCHEMA, namespace: "file" }, (args) => ({
      contents: LAYER_SCHEMA_FUNCTIONS.map((name) => `export function ${name}(...args) { return require(${JSON.stringify(`cordon-eager:${args.path}`)}).${name}(...args); }`).join("\n"),
      loader: "js",
    }));
    build.onResolve({ filter: /^cordon-eager:/ }, (args) => ({ path: args.path.slice("cordon-eager:".length), namespace: "cordon-eager" }));
    build.onLoad({ filter: /.*/, namespace: "cordon-eager" }, (args) => ({ contents: withZodNamespace(readFileSync(args.path, "utf8")), loader: "js", resolveDir: path.dirname(args.path) }));
  },
};

/** The facade must forward every export of the real module, and every one must be a function. */
async function checkLayerSchemaExports() {
  const real = await import(new URL("./config/layer-schema.js", import.meta.resolve("@cordon/policy-model")).href);
  const names = Object.keys(real).sort();
  if (names.join() !== LAYER_SCHEMA_FUNCTIONS.join() || names.some((name) => typeof real[name] !== "function")) {
    throw new Error(`policy-model's config/layer-schema.js exports ${names.join(", ")}: update the lazy facade in build.mjs (functions only: ${LAYER_SCHEMA_FUNCTIONS.join(", ")})`);
  }
}

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  metafile: true,
  logLevel: "warning",
  legalComments: "none",
  // No comments nor indentation (names stay): a smaller script to read, and pure ASCII (checked below).
  minifyWhitespace: true,
  // The sources locate files with import.meta.url (package.json, the bundle); CommonJS has __filename.
  // "use strict" first: the banner goes above esbuild's own directive, which would then not count.
  // The URL is made on first use (cheap, but start-up is made of such things).
  define: { "import.meta.url": "__cordonImportMeta.url" },
  banner: { js: '"use strict";\nvar __cordonImportMeta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
};

await checkLayerSchemaExports();
const cli = await esbuild.build({ ...common, stdin: BUNDLE_ENTRY, outfile: BUNDLE, plugins: [lazyZod, zodNamespace, noBackends] });
const bin = await esbuild.build({ ...common, entryPoints: [path.join(cliDir, "src/main.ts")], outfile: BIN, external: BIN_BACKENDS });
checkBundle(cli.metafile);
checkBin(bin.metafile);
writeNotices(cli.metafile);
makeCodeCache();

/** Only Node built-ins may stay external, and zod must have been tree-shaken. */
function checkBundle(metafile) {
  const external = externalImports(metafile).filter((p) => !isBuiltin(p));
  if (external.length > 0) throw new Error(`dist/cordon-cli.cjs leaves ${[...new Set(external)].join(", ")} unbundled`);
  const locales = inlinedFiles(metafile).filter((file) => /zod[\\/]v4[\\/]locales[\\/](?!en\.js$|index\.js$)/.test(file));
  if (locales.length > 0) throw new Error(`zod was not tree-shaken (${locales.length} locales inlined): does policy-model still import { z } from "zod"?`);
  const nonAscii = /[^\x00-\x7f]/.exec(readFileSync(BUNDLE, "latin1"));
  if (nonAscii) throw new Error("dist/cordon-cli.cjs must be pure ASCII (bundled-cli.ts decodes it as latin1)");
}

/** The bin stays small: its own four sources, importing Node built-ins and the backend packages only. */
function checkBin(metafile) {
  const sources = inlinedFiles(metafile).map((file) => path.basename(file)).sort();
  if (sources.join() !== "bundled-cli.ts,main.ts,version.ts,write.ts") throw new Error(`dist/cordon.cjs should bundle main.ts, bundled-cli.ts, version.ts and write.ts, got ${sources.join(", ")}`);
  const external = externalImports(metafile).filter((p) => !isBuiltin(p) && !BIN_BACKENDS.includes(p));
  if (external.length > 0) throw new Error(`dist/cordon.cjs imports ${external.join(", ")}`);
}

/**
 * Runs the bundle on typical commands in a clean child process (private CORDON_HOME, HOME and working
 * directory; no NODE_OPTIONS, whose V8 flags would make the cache unusable for a plain `node`), then
 * saves V8's code cache, which now covers the functions those commands compiled. A fresh process must
 * accept it, or the build fails.
 */
function makeCodeCache() {
  const loader = pathToFileURL(path.join(dist, "bundled-cli.js")).href;
  const work = mkdtempSync(path.join(tmpdir(), "cordon-code-cache-"));
  try {
    const project = path.join(work, "project");
    mkdirSync(path.join(project, ".git"), { recursive: true });
    const { NODE_OPTIONS: _flags, ...inherited } = process.env;
    const env = { ...inherited, HOME: work, USERPROFILE: work, CORDON_HOME: path.join(work, "cordon-home"), CORDON_SYSTEM_DIR: path.join(work, "system") };
    // A config file too, so that parsing TOML and validating with zod are in the cache as well.
    const config = path.join(work, "config.toml");
    writeFileSync(config, WARM_UP_CONFIG);
    const withConfig = ["--config", config, "-c", "permissions.dev.network.enabled=false"];
    const warmUp = [["explain"], ["env", "--json"], ["explain", "--json", ".", "--domain", "example.com"], ["profiles", "--json"], ["check"], ["check", ...withConfig], ["explain", ...withConfig]];
    const make = `
      import { writeFileSync } from "node:fs";
      import { compileBundle, evaluateBundle, CODE_CACHE_FILE } from ${JSON.stringify(loader)};
      const script = compileBundle();
      const { runCli } = evaluateBundle(script);
      const zodLoaded = () => "__zod_globalConfig" in globalThis; // set when zod's core starts
      for (const argv of ${JSON.stringify(warmUp)}) {
        const code = await runCli(argv);
        if (code !== 0) throw new Error("cordon " + argv.join(" ") + " exited " + code);
        // zod must start only for a layer to validate (lazyZod above): not for the built-in profiles.
        if (!argv.includes("--config") && zodLoaded()) throw new Error("zod started for cordon " + argv.join(" ") + ", with nothing to validate: something besides config/layer-schema.js imports zod or schema.js");
      }
      if (!zodLoaded()) throw new Error("zod never started, not even to validate a config layer: the zodLoaded() probe no longer works");
      writeFileSync(CODE_CACHE_FILE, script.createCachedData());`;
    run(["--input-type=module", "-e", make], { cwd: project, env });
    const check = `
      import { readFileSync } from "node:fs";
      import { compileBundle, CODE_CACHE_FILE } from ${JSON.stringify(loader)};
      if (compileBundle(readFileSync(CODE_CACHE_FILE)).cachedDataRejected) throw new Error("V8 rejected the code cache it just made");`;
    run(["--input-type=module", "-e", check], { cwd: project, env });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}


function run(args, options) {
  const result = spawnSync(process.execPath, args, { ...options, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (result.status !== 0) throw new Error(`making the code cache failed (exit ${result.status ?? result.signal}):\n${result.stderr}`);
}

/** dist/cordon-cli.cjs.LICENSES.txt: the license of every third-party package inlined into the bundle. */
function writeNotices(metafile) {
  const packages = new Map();
  for (const file of inlinedFiles(metafile)) {
    const match = /(?:^|[\\/])node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
    if (match) packages.set(match[1], path.resolve(cliDir, file.slice(0, match.index + match[0].length)));
  }
  const sections = [...packages].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, dir]) => {
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    const licenseFile = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE"].map((f) => path.join(dir, f)).find((f) => existsSync(f));
    if (!licenseFile) throw new Error(`${name}: no LICENSE file to ship with the bundle`);
    return `${name}@${manifest.version} (${manifest.license})\n\n${readFileSync(licenseFile, "utf8").trim()}\n`;
  });
  const header = "Third-party packages inlined into cordon-cli.cjs, with their licenses.\n";
  writeFileSync(`${BUNDLE}.LICENSES.txt`, [header, ...sections].join(`\n${"-".repeat(72)}\n\n`));
}

/** Source files that contributed code to the output (the metafile's inputs include tree-shaken ones). */
function inlinedFiles(metafile) {
  return Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file));
}

function externalImports(metafile) {
  return Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
}

function isBuiltin(specifier) {
  return specifier.startsWith("node:") || builtinModules.includes(specifier);
}
