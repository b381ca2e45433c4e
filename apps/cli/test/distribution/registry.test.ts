// End-to-end distribution test: publish every package to a local registry, install `cordon` as a user would
// (no compiler, no install scripts), and check that only the Linux backend arrives and that it sandboxes.
//
// Slow (a few minutes: packing, publishing ~15 packages, one install) and it needs the monorepo built
// (`npm run build`; turbo's `test` task builds first). Linux only: it runs the Linux backend for real.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TOOLS, makeBarePath, which } from "./bare-path.js";
import { thirdPartyClosure, type InstalledPackage } from "./dependency-closure.js";
import { startLocalRegistry, type LocalRegistry } from "./local-registry.js";
import { describeResult, runProcess, type ProcessResult } from "./run-process.js";
import { readTarball, tarballManifest } from "./tarball.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const isLinux = process.platform === "linux";
if (!isLinux) console.warn(`registry.test: SKIPPED on ${process.platform} — it installs and runs the Linux backend for real`);

/** The backends and the one the user's OS should receive (this test runs on Linux). */
const BACKENDS = ["@cordon/enforce-linux", "@cordon/enforce-macos", "@cordon/enforce-windows"] as const;
const EXPECTED_PLATFORM_FIELDS: Record<string, { os: string[]; cpu?: string[] }> = {
  "@cordon/enforce-linux": { os: ["linux"], cpu: ["x64", "arm64"] },
  "@cordon/enforce-macos": { os: ["darwin"] },
  "@cordon/enforce-windows": { os: ["win32"] },
};
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepare"];

interface Packed {
  name: string;
  version: string;
  tarball: string;
  dir: string;
  files: string[];
}

/** This host's prebuilds/ folder name (glibc reports its runtime version; musl does not). */
function hostTarget(): string {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return `linux-${process.arch}${header?.glibcVersionRuntime ? "" : "-musl"}`;
}

function npmCli(): string {
  const fromEnv = process.env.npm_execpath;
  if (fromEnv?.endsWith("npm-cli.js")) return fromEnv;
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  const candidate = path.join(prefix, "lib", "node_modules", "npm", "bin", "npm-cli.js");
  if (!existsSync(candidate)) throw new Error(`cannot find npm-cli.js (looked at ${candidate}); run the test through npm`);
  return candidate;
}

/** Every @cordon/* (and cordon) package folder under an installed tree. */
function installedCordonPackages(nodeModules: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith("@")) {
        for (const scoped of readdirSync(full, { withFileTypes: true })) {
          if (!scoped.isDirectory()) continue;
          const pkgDir = path.join(full, scoped.name);
          if (entry.name === "@cordon") found.set(`@cordon/${scoped.name}`, pkgDir);
          walk(path.join(pkgDir, "node_modules"));
        }
      } else {
        if (entry.name === "cordon") found.set("cordon", full);
        walk(path.join(full, "node_modules"));
      }
    }
  };
  walk(nodeModules);
  return found;
}

describe.runIf(isLinux)("distribution: publish to a local registry, install cordon without a compiler", () => {
  let work: string;
  let registry: LocalRegistry | undefined;
  const done = new Set<string>();
  const state: { packed: Packed[]; thirdParty: InstalledPackage[]; prefix: string; barePath: string; userEnv: Record<string, string> } = {
    packed: [],
    thirdParty: [],
    prefix: "",
    barePath: "",
    userEnv: {},
  };

  /** Later steps build on earlier ones; say which earlier step is missing instead of failing obscurely. */
  function requireSteps(...steps: string[]): void {
    for (const step of steps) if (!done.has(step)) throw new Error(`not attempted: the earlier step "${step}" did not complete (see its failure above)`);
  }

  /** npm with an isolated config: temp HOME, userconfig, globalconfig and cache; nothing inherited from the test's npm. */
  function npm(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<ProcessResult> {
    const base = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: path.join(work, "home"),
      npm_config_userconfig: path.join(work, "npmrc"),
      npm_config_globalconfig: path.join(work, "global-npmrc"),
      npm_config_cache: path.join(work, "npm-cache"),
      npm_config_update_notifier: "false",
      npm_config_audit: "false",
      npm_config_fund: "false",
    };
    return runProcess(process.execPath, [npmCli(), ...args], { cwd: options.cwd, env: { ...base, ...options.env }, timeoutMs: options.timeoutMs ?? 120_000 });
  }

  /** The installed `cordon` bin, run as a user would: bare PATH, temp HOME, no config. */
  function cordon(args: string[], timeoutMs = 120_000): Promise<ProcessResult> {
    return runProcess(path.join(state.prefix, "bin", "cordon"), args, { cwd: path.join(work, "workspace"), env: state.userEnv, timeoutMs });
  }

  beforeAll(async () => {
    // Not under /tmp: the default profile (:workspace) may write /tmp, and one check needs a place it may not.
    const base = existsSync("/var/tmp") ? "/var/tmp" : path.join(repoRoot, "node_modules", ".cache");
    work = mkdtempSync(path.join(base, "cordon-distribution-"));
    for (const dir of ["home", "workspace", "outside", "tarballs", "third-party", "prefix", "cordon-home", "cordon-system"]) mkdirSync(path.join(work, dir));
    writeFileSync(path.join(work, "global-npmrc"), "");
  }, 30_000);

  afterAll(async () => {
    await registry?.stop();
    if (work && process.env.CORDON_KEEP_DISTRIBUTION_TMP !== "1") rmSync(work, { recursive: true, force: true });
    else if (work) console.warn(`registry.test: kept ${work}`);
  }, 60_000);

  it("starts from a built monorepo (npm run build)", () => {
    const missing = [
      "packages/policy-model/dist/index.js",
      "packages/egress-proxy/dist/index.js",
      "packages/enforce-linux/dist/index.js",
      "packages/enforce-macos/dist/index.js",
      "packages/enforce-windows/dist/index.js",
      "apps/cli/dist/index.js",
      "apps/cli/dist/cordon.cjs",
      "apps/cli/dist/cordon-cli.cjs",
      "packages/enforce-linux/build/Release/cordon_native.node",
      "packages/enforce-linux/build/Release/cordon-exec",
    ].filter((file) => !existsSync(path.join(repoRoot, file)));
    expect(missing, `build output missing — run \`npm run build\` at the repo root first: ${missing.join(", ")}`).toEqual([]);
    done.add("built");
  });

  it("arranges the native build as a release does (tools/collect-prebuilds.mjs local)", async () => {
    requireSteps("built");
    const result = await runProcess(process.execPath, [path.join(repoRoot, "tools", "collect-prebuilds.mjs"), "local"], { cwd: repoRoot, env: { PATH: process.env.PATH ?? "" } });
    expect(result.code, describeResult("collect-prebuilds local", result)).toBe(0);
    const helper = path.join(repoRoot, "packages", "enforce-linux", "prebuilds", hostTarget(), "cordon-exec");
    expect(existsSync(helper), `${helper} should exist after collect-prebuilds`).toBe(true);
    done.add("prebuilds");
  }, 60_000);

  it("packs every package; only the tarballs carry os/cpu, and no package has an install script", async () => {
    requireSteps("prebuilds");
    const out = path.join(work, "tarballs");
    const result = await runProcess(process.execPath, [path.join(repoRoot, "tools", "pack-all.mjs"), "--out", out, "--json"], {
      cwd: repoRoot,
      env: { ...(process.env as Record<string, string>) },
      timeoutMs: 300_000,
    });
    expect(result.code, describeResult("tools/pack-all.mjs", result)).toBe(0);
    state.packed = JSON.parse(result.stdout.slice(result.stdout.indexOf("["))) as Packed[];
    expect(state.packed.map((entry) => entry.name).sort()).toEqual(["@cordon/egress-proxy", "@cordon/enforce-linux", "@cordon/enforce-macos", "@cordon/enforce-windows", "@cordon/policy-model", "cordon"]);

    for (const entry of state.packed) {
      const manifest = tarballManifest(entry.tarball);
      const expected = EXPECTED_PLATFORM_FIELDS[entry.name];
      expect(manifest.os, `${entry.name} tarball "os"`).toEqual(expected?.os);
      expect(manifest.cpu, `${entry.name} tarball "cpu"`).toEqual(expected?.cpu);
      const scripts = (manifest.scripts ?? {}) as Record<string, string>;
      expect(INSTALL_SCRIPTS.filter((name) => name in scripts), `${entry.name} must not have install-time scripts`).toEqual([]);
    }
    // The source manifests are back to having no os/cpu (npm install of the workspace must work on every OS).
    // The tool checks under the pack lock, so another test's pack in progress does not disturb it.
    const check = await runProcess(process.execPath, [path.join(repoRoot, "tools", "platform-manifest.mjs"), "check"], { cwd: repoRoot, env: { PATH: process.env.PATH ?? "" } });
    expect(check.code, describeResult("platform-manifest check after packing", check)).toBe(0);

    const linux = state.packed.find((entry) => entry.name === "@cordon/enforce-linux");
    const linuxTar = readTarball(linux?.tarball ?? "");
    const helper = linuxTar.get(`package/prebuilds/${hostTarget()}/cordon-exec`);
    expect(helper, `enforce-linux tarball lacks prebuilds/${hostTarget()}/cordon-exec`).toBeDefined();
    expect((helper?.mode ?? 0) & 0o111, "cordon-exec must be executable inside the tarball").toBe(0o111);
    expect(linuxTar.has(`package/prebuilds/${hostTarget()}/cordon_native.node`), "enforce-linux tarball lacks the addon").toBe(true);
    expect(tarballManifest(linux?.tarball ?? "").gypfile, "enforce-linux must say gypfile: false (no node-gyp at install)").toBe(false);
    expect([...linuxTar.keys()].filter((name) => name.startsWith("package/build/") || name.startsWith("package/native/")), "no build tree or C++ sources in the tarball").toEqual([]);
    done.add("packed");
  }, 300_000);

  it("starts verdaccio on 127.0.0.1 with no uplinks and anonymous publish", async () => {
    registry = await startLocalRegistry(repoRoot, path.join(work, "registry"));
    // npm refuses to publish without some credential even when the registry allows anonymous publishing.
    writeFileSync(path.join(work, "npmrc"), `registry=${registry.url}\n${registry.npmrcKey}:_authToken=anonymous-publish\n`);
    const probe = await fetch(new URL("zod", registry.url));
    expect(probe.status, "a fresh registry without uplinks must not know zod (nothing may come from the internet)").toBe(404);
    done.add("registry");
  }, 90_000);

  it("publishes the third-party run-time dependencies and every cordon package", async () => {
    requireSteps("registry", "packed");
    const url = registry?.url ?? "";
    const workspaceNames = new Set(state.packed.map((entry) => entry.name));
    state.thirdParty = thirdPartyClosure(state.packed.map((entry) => entry.dir), workspaceNames);
    expect(state.thirdParty.length, "expected some third-party dependencies (zod, smol-toml, …)").toBeGreaterThan(0);

    const tarballs: { label: string; file: string }[] = [];
    for (const dep of state.thirdParty) {
      // --ignore-scripts: re-packing an installed copy must not run the dependency's own prepack.
      const packed = await npm(["pack", dep.dir, "--ignore-scripts", "--json", "--pack-destination", path.join(work, "third-party")], { cwd: work });
      expect(packed.code, describeResult(`npm pack ${dep.name}@${dep.version}`, packed)).toBe(0);
      const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string }[];
      tarballs.push({ label: `${dep.name}@${dep.version}`, file: path.join(work, "third-party", info?.filename ?? "") });
    }
    for (const entry of state.packed) tarballs.push({ label: `${entry.name}@${entry.version}`, file: entry.tarball });

    for (const { label, file } of tarballs) {
      // Provenance needs a CI identity; the real release sets it (publishConfig.provenance), this test cannot.
      const published = await npm(["publish", file, "--registry", url, "--provenance=false", "--ignore-scripts", "--access", "public"], { cwd: work });
      expect(published.code, describeResult(`npm publish ${label}`, published)).toBe(0);
    }
    done.add("published");
  }, 600_000);

  it("installs cordon with --ignore-scripts into an empty prefix with no compiler on PATH", async () => {
    requireSteps("published");
    state.barePath = makeBarePath(path.join(work, "bare-bin"));
    const reachable = BUILD_TOOLS.map((tool) => which(tool, state.barePath)).filter((found) => found !== undefined);
    expect(reachable, "the user's PATH must not offer any compiler or build tool").toEqual([]);
    state.prefix = path.join(work, "prefix");
    const result = await npm(["install", "--global", "--prefix", state.prefix, "--ignore-scripts", "--registry", registry?.url ?? "", "cordon"], {
      cwd: path.join(work, "home"),
      env: { PATH: state.barePath },
      timeoutMs: 300_000,
    });
    expect(result.code, describeResult("npm install --global cordon (bare PATH)", result)).toBe(0);
    expect(existsSync(path.join(state.prefix, "bin", "cordon")), `${state.prefix}/bin/cordon was not installed`).toBe(true);
    state.userEnv = {
      PATH: state.barePath,
      HOME: path.join(work, "home"),
      CORDON_HOME: path.join(work, "cordon-home"),
      CORDON_SYSTEM_DIR: path.join(work, "cordon-system"),
    };
    done.add("installed");
  }, 300_000);

  it("installed only the Linux backend, with its prebuilt helper and nothing compiled", () => {
    requireSteps("installed");
    const installed = installedCordonPackages(path.join(state.prefix, "lib", "node_modules"));
    const backends = BACKENDS.filter((name) => installed.has(name));
    expect(backends, "exactly the Linux backend should be installed on Linux").toEqual(["@cordon/enforce-linux"]);
    expect(installed.has("@cordon/policy-model"), "@cordon/policy-model should be installed").toBe(true);

    const linuxDir = installed.get("@cordon/enforce-linux") ?? "";
    const helper = path.join(linuxDir, "prebuilds", hostTarget(), "cordon-exec");
    expect(existsSync(helper), `${helper} missing from the installed package`).toBe(true);
    expect(statSync(helper).mode & 0o111, `${helper} is not executable after install`).toBe(0o111);
    expect(existsSync(path.join(linuxDir, "build")), "nothing may be compiled at install time (found build/)").toBe(false);
    done.add("only-linux");
  });

  it("cordon doctor --json reports the installed Linux backend ready", async () => {
    requireSteps("installed");
    const result = await cordon(["doctor", "--json"]);
    expect(result.code, describeResult("cordon doctor --json", result)).toBe(0);
    const report = JSON.parse(result.stdout) as { platform?: string; backend?: string; ready?: boolean; problems?: string[] };
    expect({ platform: report.platform, backend: report.backend }).toEqual({ platform: "linux", backend: "@cordon/enforce-linux" });
    expect(report.problems, `doctor problems: ${result.stdout}`).toEqual([]);
    expect(report.ready, `doctor is not ready: ${result.stdout}`).toBe(true);
    expect(result.stdout.includes(repoRoot), "the installed cordon must use its own prebuilt helper, not the monorepo's build").toBe(false);
  }, 120_000);

  it("cordon run -- echo ok prints ok", async () => {
    requireSteps("installed");
    const result = await cordon(["run", "--", "echo", "ok"]);
    expect(result.code, describeResult("cordon run -- echo ok", result)).toBe(0);
    expect(result.stdout).toBe("ok\n");
  }, 120_000);

  it("the installed bin answers --version and runs explain, env and schema from its bundle (dist/cordon-cli.cjs)", async () => {
    requireSteps("installed");
    const installedCli = path.join(state.prefix, "lib", "node_modules", "cordon");
    for (const file of ["cordon.cjs", "cordon-cli.cjs", "cordon-cli.cjs.v8-cache", "cordon-cli.cjs.LICENSES.txt"]) {
      expect(existsSync(path.join(installedCli, "dist", file)), `dist/${file} is missing from the installed package`).toBe(true);
    }
    const version = await cordon(["--version"]);
    expect(version.code, describeResult("cordon --version", version)).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(installedCli, "package.json"), "utf8")) as { version: string }).version);

    const explain = await cordon(["explain", "--json", "inside.txt"]);
    expect(explain.code, describeResult("cordon explain --json inside.txt", explain)).toBe(0);
    const decision = JSON.parse(explain.stdout) as { profile: string; paths: { path: string; write: string }[] };
    expect(decision.profile).toBe(":workspace");
    expect(decision.paths[0]).toMatchObject({ path: path.join(work, "workspace", "inside.txt"), write: "allow" });

    const env = await cordon(["env", "--json"]);
    expect(env.code, describeResult("cordon env --json", env)).toBe(0);
    expect((JSON.parse(env.stdout) as Record<string, string>).CORDON_SANDBOX).toBe(":workspace");

    const schema = await cordon(["schema"]);
    expect(schema.code, describeResult("cordon schema", schema)).toBe(0);
    expect(schema.stdout).toBe(readFileSync(path.join(repoRoot, "packages", "policy-model", "schema", "config.schema.json"), "utf8"));
  }, 120_000);

  it("runs sandboxed under :workspace: CORDON_SANDBOX is set, the workspace is writable, outside is not", async () => {
    requireSteps("installed");
    const profile = await cordon(["run", "--", "sh", "-c", 'printf %s "$CORDON_SANDBOX"']);
    expect(profile.code, describeResult("cordon run -- sh -c 'printf %s $CORDON_SANDBOX'", profile)).toBe(0);
    expect(profile.stdout, "the command should run under the default profile :workspace").toBe(":workspace");

    // Allowed control: the workspace (the cwd) is writable.
    const inside = await cordon(["run", "--", "sh", "-c", "echo inside > inside.txt"]);
    expect(inside.code, describeResult("write inside the workspace", inside)).toBe(0);
    expect(readFileSync(path.join(work, "workspace", "inside.txt"), "utf8")).toBe("inside\n");

    // Denied: a directory outside every writable root; the host must show no trace of the write.
    const target = path.join(work, "outside", "escaped.txt");
    const outside = await cordon(["run", "--", "sh", "-c", `echo escaped > '${target}'`]);
    expect(outside.code, describeResult("write outside the workspace", outside)).not.toBe(0);
    expect(existsSync(target), `${target} was created: the write escaped the sandbox`).toBe(false);
  }, 180_000);

  it("without the backend (--omit=optional) cordon refuses to run and names the package to install", async () => {
    requireSteps("installed");
    // A project-local install: npm applies --omit to a project's tree (a global install keeps optionals).
    const project = path.join(work, "project-no-backend");
    mkdirSync(project);
    writeFileSync(path.join(project, "package.json"), `${JSON.stringify({ name: "no-backend", private: true }, null, 2)}\n`);
    const installed = await npm(["install", "--ignore-scripts", "--omit=optional", "--registry", registry?.url ?? "", "cordon"], {
      cwd: project,
      env: { PATH: state.barePath },
      timeoutMs: 300_000,
    });
    expect(installed.code, describeResult("npm install --omit=optional cordon", installed)).toBe(0);
    expect(installedCordonPackages(path.join(project, "node_modules")).has("@cordon/enforce-linux"), "--omit=optional should leave the backend out").toBe(false);

    const result = await runProcess(path.join(project, "node_modules", ".bin", "cordon"), ["run", "--", "echo", "ok"], { cwd: path.join(work, "workspace"), env: state.userEnv });
    expect(result.code, describeResult("cordon run without a backend", result)).toBe(125);
    expect(result.stdout, "the command must not run unsandboxed").not.toContain("ok");
    expect(result.stderr).toContain("npm install @cordon/enforce-linux");
  }, 300_000);
});
