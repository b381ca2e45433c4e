#!/usr/bin/env node
// Builds @cordon/enforce-linux's native addon and `cordon-exec` helper with node-gyp (Linux only; a no-op elsewhere).
//
//   node tools/build-native.mjs [--prebuilds]
//
// Runs node-gyp the way npm does (npm exports npm_config_node_gyp and npm_config_nodedir to scripts); run
// outside npm, it re-runs itself through `npm run build:native`. It never downloads Node headers when the
// running Node has its own (e.g. /usr/include/node from Debian's nodejs package): it passes --nodedir then.
// Results: packages/enforce-linux/build/Release/{cordon_native.node,cordon-exec}; with --prebuilds also
// copied to packages/enforce-linux/prebuilds/<host target>/ for publishing — exactly what
// `node tools/collect-prebuilds.mjs local` does (linux-<arch>, or linux-<arch>-musl on musl; verified).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ARTIFACTS = ["cordon_native.node", "cordon-exec"];
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "packages", "enforce-linux");

function fail(message) {
  console.error(`build-native: ${message}`);
  process.exit(1);
}

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: packageDir, stdio: "inherit", env });
  if (result.error) fail(`cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Headers shipped with the running Node (<prefix>/include/node), so node-gyp need not download them. */
function localNodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return existsSync(path.join(prefix, "include", "node", "node_api.h")) ? prefix : undefined;
}

if (process.platform !== "linux") {
  console.log(`build-native: nothing to build on ${process.platform} (the native parts are Linux-only)`);
  process.exit(0);
}

const nodeGyp = process.env.npm_config_node_gyp;
if (!nodeGyp) {
  if (process.env.CORDON_BUILD_NATIVE_VIA_NPM) fail("npm did not provide npm_config_node_gyp; cannot locate node-gyp");
  run("npm", ["run", "build:native", "--", ...process.argv.slice(2)], { ...process.env, CORDON_BUILD_NATIVE_VIA_NPM: "1" });
  process.exit(0);
}

/**
 * Serializes builds of this checkout: two concurrent `node-gyp rebuild`s in one build/ directory
 * corrupt each other. The lock is a directory (atomic mkdir) holding the owner's pid; a dead owner's
 * lock is taken over.
 */
function acquireLock() {
  const lock = path.join(os.tmpdir(), `cordon-build-native-${createHash("sha256").update(packageDir).digest("hex").slice(0, 16)}.lock`);
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, "pid"), String(process.pid));
      const release = () => rmSync(lock, { recursive: true, force: true });
      process.on("exit", release);
      return;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(path.join(lock, "pid"), "utf8"));
    } catch {
      // the owner is between mkdir and writing its pid
    }
    let alive = true;
    if (Number.isInteger(owner) && owner > 0) {
      try {
        process.kill(owner, 0);
      } catch (error) {
        alive = error.code === "EPERM";
      }
    }
    if (!alive) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) fail(`another native build holds ${lock}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

acquireLock();
const gypArgs = [nodeGyp, "rebuild"];
if (!process.env.npm_config_nodedir) {
  const nodedir = localNodeDir();
  if (nodedir) gypArgs.push(`--nodedir=${nodedir}`);
}
run(process.execPath, gypArgs);

const releaseDir = path.join(packageDir, "build", "Release");
for (const file of ARTIFACTS) {
  if (!existsSync(path.join(releaseDir, file))) fail(`node-gyp finished but ${path.join(releaseDir, file)} is missing`);
}
if (process.argv.includes("--prebuilds")) {
  // One implementation of the prebuilds layout (target names, modes, ELF checks): collect-prebuilds.mjs.
  const { collectLocal } = await import("./collect-prebuilds.mjs");
  try {
    console.log(`build-native: ${collectLocal().summary}`);
  } catch (error) {
    fail(error.message);
  }
}
