#!/usr/bin/env node
// Packs every public workspace package with `npm pack` (prepack/postpack run, so backends get os/cpu) into one folder.
//
//   node tools/pack-all.mjs --out DIR [--json]
//
// Packing rewrites a backend's package.json for a moment (tools/platform-manifest.mjs), so concurrent packs
// of the same package would race: one pack's postpack could strip the fields from another's tarball.
// All packing therefore goes through one lock file shared by every caller on the machine.
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { publicPackages } from "./workspace-packages.mjs";

const LOCK_FILE = path.join(os.tmpdir(), "cordon-pack.lock");
const LOCK_WAIT_MS = 10 * 60 * 1000;

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** Runs `fn` holding an exclusive lock file (O_EXCL); a lock left by a dead process is taken over. */
export function withPackLock(fn) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(LOCK_FILE, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      const owner = Number.parseInt(readFileSync(LOCK_FILE, "utf8") || "0", 10);
      if (!owner || !processAlive(owner)) {
        rmSync(LOCK_FILE, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`pack-all: ${LOCK_FILE} held by pid ${owner} for too long`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK_FILE, { force: true });
  }
}

/** The npm CLI script of the npm running us (or next to this node), so packing needs no `npm` on PATH. */
export function npmCli() {
  if (process.env.npm_execpath && process.env.npm_execpath.endsWith("npm-cli.js")) return process.env.npm_execpath;
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  for (const candidate of [path.join(prefix, "lib", "node_modules", "npm", "bin", "npm-cli.js"), path.join(prefix, "node_modules", "npm", "bin", "npm-cli.js")]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // try the next layout
    }
  }
  throw new Error(`pack-all: cannot find npm-cli.js next to ${process.execPath}`);
}

/** Runs npm with `args` in `cwd`; returns stdout or throws with npm's stderr. */
export function runNpm(args, { cwd, env = process.env } = {}) {
  const result = spawnSync(process.execPath, [npmCli(), ...args], { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`npm ${args.join(" ")} (in ${cwd}) exited ${result.status}:\n${result.stderr.trim()}\n${result.stdout.trim()}`.trim());
  }
  return result.stdout;
}

/**
 * Packs one package directory into outDir (lifecycle scripts run).
 * @returns {{ name: string, version: string, tarball: string, files: string[] }}
 */
export function packOne(dir, outDir) {
  return withPackLock(() => {
    const stdout = runNpm(["pack", "--json", "--pack-destination", outDir], { cwd: dir });
    // Lifecycle scripts print to stdout before the JSON; the JSON array is the last thing printed.
    const json = JSON.parse(stdout.slice(stdout.lastIndexOf("\n[") + 1 || stdout.indexOf("[")));
    const [entry] = json;
    return { name: entry.name, version: entry.version, tarball: path.join(outDir, entry.filename), files: entry.files.map((file) => file.path) };
  });
}

/** Packs every public workspace package, dependencies first. */
export function packAll(outDir) {
  mkdirSync(outDir, { recursive: true });
  return publicPackages().map((pkg) => ({ ...packOne(pkg.dir, outDir), dir: pkg.dir }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf("--out");
  if (outIndex < 0 || !args[outIndex + 1]) {
    console.error("usage: pack-all.mjs --out DIR [--json]");
    process.exit(2);
  }
  try {
    const packed = packAll(path.resolve(args[outIndex + 1]));
    if (args.includes("--json")) console.log(JSON.stringify(packed, null, 2));
    else for (const entry of packed) console.log(`pack-all: ${entry.name}@${entry.version} -> ${entry.tarball} (${entry.files.length} files)`);
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
