#!/usr/bin/env node
// Arranges and checks the prebuilt native parts @cordon/enforce-linux ships: prebuilds/<target>/{cordon_native.node,cordon-exec}.
//
//   node tools/collect-prebuilds.mjs local [--expect TARGET]   copy this host's build/Release output into
//                                                              prebuilds/<host target>/ and verify it
//   node tools/collect-prebuilds.mjs collect DIR [--max-glibc 2.31]
//                                                              release: DIR/prebuild-<target>/… (CI artifacts)
//                                                              -> prebuilds/<target>/, then verify all targets
//   node tools/collect-prebuilds.mjs verify --all|--any|--target T [--max-glibc X.Y]
//   (every command takes --prebuilds DIR to work on another folder than packages/enforce-linux/prebuilds)
//
// Targets: linux-x64, linux-arm64 (glibc) and linux-x64-musl, linux-arm64-musl. The verification reads the
// ELF headers: right machine, cordon-exec executable and statically linked (no PT_INTERP, so no dynamic
// loader and no LD_PRELOAD runs before it confines itself), the addon linked against the right libc.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { withPackLock } from "./pack-all.mjs";
import { repoRoot } from "./workspace-packages.mjs";

export const packageDir = path.join(repoRoot, "packages", "enforce-linux");
export const prebuildsDir = path.join(packageDir, "prebuilds");
export const ADDON_FILE = "cordon_native.node";
export const HELPER_FILE = "cordon-exec";
/** Every target a release ships. */
export const TARGETS = Object.freeze(["linux-x64", "linux-arm64", "linux-x64-musl", "linux-arm64-musl"]);
/** Name of the CI artifact that holds one target's files (release.yml uploads under this name). */
export const artifactName = (target) => `prebuild-${target}`;

const ELF_MACHINE = { x64: 62, arm64: 183 }; // EM_X86_64, EM_AARCH64 (elf.h)
const PT_INTERP = 3;

class PrebuildError extends Error {}

/** libc of the running Node: glibc reports its runtime version, musl does not (better-sqlite3's check). */
export function hostLibc() {
  const header = process.report?.getReport?.().header;
  return header?.glibcVersionRuntime ? "glibc" : "musl";
}

/** The prebuilds/ folder name for this host, e.g. linux-x64 or linux-arm64-musl. */
export function hostTarget() {
  if (process.platform !== "linux") throw new PrebuildError(`no prebuilt target for ${process.platform} (the native parts are Linux-only)`);
  if (!(process.arch in ELF_MACHINE)) throw new PrebuildError(`no prebuilt target for linux on ${process.arch} (x64 and arm64 only)`);
  return `linux-${process.arch}${hostLibc() === "musl" ? "-musl" : ""}`;
}

function parseTarget(target) {
  const match = /^linux-(x64|arm64)(-musl)?$/.exec(target);
  if (!match || !TARGETS.includes(target)) throw new PrebuildError(`unknown target ${JSON.stringify(target)} (expected one of ${TARGETS.join(", ")})`);
  return { arch: match[1], libc: match[2] ? "musl" : "glibc" };
}

/** Minimal ELF64 little-endian header reader: machine, type and whether a PT_INTERP segment exists. */
function readElf(file) {
  const bytes = readFileSync(file);
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46) throw new PrebuildError(`${file}: not an ELF file`);
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new PrebuildError(`${file}: not a 64-bit little-endian ELF file`);
  const machine = bytes.readUInt16LE(18);
  const phoff = Number(bytes.readBigUInt64LE(32));
  const phentsize = bytes.readUInt16LE(54);
  const phnum = bytes.readUInt16LE(56);
  let interpreter = false;
  for (let index = 0; index < phnum; index += 1) {
    const offset = phoff + index * phentsize;
    if (offset + 4 > bytes.length) throw new PrebuildError(`${file}: truncated program headers`);
    if (bytes.readUInt32LE(offset) === PT_INTERP) interpreter = true;
  }
  return { bytes, machine, interpreter };
}

/** Highest GLIBC_x.y symbol version the file requires (the oldest glibc it loads on), or null. */
export function maxGlibcVersion(bytes) {
  let max = null;
  for (const match of bytes.toString("latin1").matchAll(/GLIBC_(\d+)\.(\d+)(?:\.\d+)?/g)) {
    const version = [Number(match[1]), Number(match[2])];
    if (!max || version[0] > max[0] || (version[0] === max[0] && version[1] > max[1])) max = version;
  }
  return max;
}

function compareVersion(a, b) {
  return a[0] - b[0] || a[1] - b[1];
}

/**
 * Checks prebuilds/<target>/ and returns a one-line summary.
 * @param {{ maxGlibc?: [number, number] }} options
 * @throws PrebuildError naming the file and what is wrong.
 */
export function verifyTarget(target, options = {}) {
  const { arch, libc } = parseTarget(target);
  const dir = path.join(options.prebuildsDir ?? prebuildsDir, target);
  const problems = [];
  const notes = [];
  for (const file of [ADDON_FILE, HELPER_FILE]) {
    const full = path.join(dir, file);
    if (!existsSync(full)) {
      problems.push(`${full} is missing`);
      continue;
    }
    let elf;
    try {
      elf = readElf(full);
    } catch (error) {
      problems.push(error.message);
      continue;
    }
    if (elf.machine !== ELF_MACHINE[arch]) problems.push(`${full}: ELF machine ${elf.machine}, expected ${ELF_MACHINE[arch]} (${arch})`);
    const text = elf.bytes.toString("latin1");
    if (file === HELPER_FILE) {
      if ((statSync(full).mode & 0o111) !== 0o111) problems.push(`${full} is not executable (mode ${(statSync(full).mode & 0o777).toString(8)})`);
      if (elf.interpreter) problems.push(`${full} is dynamically linked (has PT_INTERP); cordon-exec must be static so no loader runs before it confines itself`);
    } else {
      const musl = text.includes("libc.musl-") || text.includes("ld-musl-");
      const glibc = text.includes("GLIBC_");
      if (libc === "musl" && (!musl || glibc)) problems.push(`${full}: not linked against musl (target ${target})`);
      if (libc === "glibc" && (!glibc || musl)) problems.push(`${full}: not linked against glibc (target ${target})`);
      const needs = libc === "glibc" ? maxGlibcVersion(elf.bytes) : null;
      if (needs) {
        notes.push(`needs glibc >= ${needs.join(".")}`);
        if (options.maxGlibc && compareVersion(needs, options.maxGlibc) > 0) {
          problems.push(`${full} needs glibc ${needs.join(".")}, newer than the supported floor ${options.maxGlibc.join(".")}: build it in an older container`);
        }
      }
    }
  }
  if (problems.length > 0) throw new PrebuildError(`prebuilds/${target}: ${problems.join("; ")}`);
  return `prebuilds/${target}: ok${notes.length ? ` (${notes.join(", ")})` : ""}`;
}

/** Target folders currently under prebuilds/ (unknown folders are an error: they would ship). */
export function presentTargets(root = prebuildsDir) {
  if (!existsSync(root)) return [];
  const entries = readdirSync(root, { withFileTypes: true });
  const unknown = entries.filter((entry) => !entry.isDirectory() || !TARGETS.includes(entry.name)).map((entry) => entry.name);
  if (unknown.length > 0) throw new PrebuildError(`unexpected entries in ${root} (they would be published): ${unknown.join(", ")}`);
  return entries.map((entry) => entry.name).sort();
}

/**
 * Verifies a set of targets: "all" (a release), "any" (every present target valid, at least one), or a list.
 * @returns {string[]} summaries
 */
export function verify(which, options = {}) {
  const root = options.prebuildsDir ?? prebuildsDir;
  const present = presentTargets(root);
  let targets;
  if (which === "all") targets = [...TARGETS];
  else if (which === "any") {
    if (present.length === 0) {
      throw new PrebuildError(
        `no prebuilt native parts in ${root}: the package would ship without cordon-exec. ` +
          "Locally: `npm run build -w @cordon/enforce-linux && node tools/collect-prebuilds.mjs local`; a release collects them from CI",
      );
    }
    targets = present;
  } else targets = which;
  // Check every target before failing, so one run lists everything a release is missing.
  const summaries = [];
  const failures = [];
  for (const target of targets) {
    try {
      summaries.push(verifyTarget(target, options));
    } catch (error) {
      if (!(error instanceof PrebuildError)) throw error;
      failures.push(error.message);
    }
  }
  if (failures.length > 0) throw new PrebuildError(failures.join("\n"));
  return summaries;
}

function copyTarget(fromDir, target, root = prebuildsDir) {
  const toDir = path.join(root, target);
  // Check the sources first: a failed copy must leave the previous prebuilds in place.
  for (const file of [ADDON_FILE, HELPER_FILE]) {
    const from = path.join(fromDir, file);
    if (!existsSync(from)) throw new PrebuildError(`${from} is missing (expected the ${target} build output there)`);
  }
  rmSync(toDir, { recursive: true, force: true });
  mkdirSync(toDir, { recursive: true });
  for (const file of [ADDON_FILE, HELPER_FILE]) copyFileSync(path.join(fromDir, file), path.join(toDir, file));
  // CI artifacts and some copies lose the mode bits; set them explicitly.
  chmodSync(path.join(toDir, ADDON_FILE), 0o644);
  chmodSync(path.join(toDir, HELPER_FILE), 0o755);
  return toDir;
}

/** Copies this host's build/Release output into prebuilds/<host target>/ (what a release CI job uploads). */
export function collectLocal(options = {}) {
  const target = hostTarget();
  if (options.expect && options.expect !== target) throw new PrebuildError(`this host builds ${target}, but ${options.expect} was expected`);
  // Under the pack lock: replacing the files while a pack reads them would ship a partial folder.
  withPackLock(() => copyTarget(path.join(packageDir, "build", "Release"), target, options.prebuildsDir));
  return { target, summary: verifyTarget(target, options) };
}

/** Release: copies every DIR/prebuild-<target>/ artifact into prebuilds/<target>/ and verifies all targets. */
export function collectArtifacts(artifactsDir, options = {}) {
  // Check that every artifact arrived before copying anything, so a partial download changes nothing.
  const absent = TARGETS.filter((target) => !existsSync(path.join(artifactsDir, artifactName(target))));
  if (absent.length > 0) throw new PrebuildError(`artifacts missing in ${artifactsDir}: ${absent.map(artifactName).join(", ")}`);
  withPackLock(() => {
    for (const target of TARGETS) copyTarget(path.join(artifactsDir, artifactName(target)), target, options.prebuildsDir);
  });
  return verify("all", options);
}

function parseVersion(text) {
  const match = /^(\d+)\.(\d+)$/.exec(text ?? "");
  if (!match) throw new PrebuildError(`--max-glibc wants MAJOR.MINOR, got ${JSON.stringify(text)}`);
  return [Number(match[1]), Number(match[2])];
}

function main(argv) {
  const [command, ...rest] = argv;
  const options = {};
  const positional = [];
  let which;
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index];
    if (arg === "--max-glibc") options.maxGlibc = parseVersion(rest[++index]);
    else if (arg === "--expect") options.expect = rest[++index];
    else if (arg === "--prebuilds") options.prebuildsDir = path.resolve(rest[++index] ?? "");
    else if (arg === "--all") which = "all";
    else if (arg === "--any") which = "any";
    else if (arg === "--target") which = [...(Array.isArray(which) ? which : []), rest[++index]];
    else if (arg.startsWith("--")) throw new PrebuildError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  switch (command) {
    case "local": {
      const { summary } = collectLocal(options);
      console.log(`collect-prebuilds: ${summary}`);
      return 0;
    }
    case "collect": {
      if (positional.length !== 1) throw new PrebuildError("usage: collect-prebuilds.mjs collect ARTIFACTS_DIR");
      for (const line of collectArtifacts(path.resolve(positional[0]), options)) console.log(`collect-prebuilds: ${line}`);
      return 0;
    }
    case "verify": {
      if (!which) throw new PrebuildError("verify needs --all, --any or --target T");
      for (const line of verify(which, options)) console.log(`collect-prebuilds: ${line}`);
      return 0;
    }
    default:
      console.error("usage: collect-prebuilds.mjs local [--expect T] | collect DIR [--max-glibc X.Y] | verify --all|--any|--target T [--max-glibc X.Y]");
      return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`collect-prebuilds: ${error instanceof PrebuildError ? error.message : error?.stack ?? error}`);
    process.exitCode = 1;
  }
}
