// tools/collect-prebuilds.mjs: arranging CI artifacts and refusing incomplete or wrong prebuilt native parts.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const tool = path.join(repoRoot, "tools", "collect-prebuilds.mjs");
const EM_X86_64 = 62;
const EM_AARCH64 = 183;

/** A minimal ELF64 file: header, one program header (PT_INTERP when `interp`), then `strings` (e.g. DT_NEEDED names). */
function fakeElf(options: { machine: number; interp?: boolean; strings?: string }): Buffer {
  const header = Buffer.alloc(64 + 56);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // ELFCLASS64
  header[5] = 1; // little endian
  header[6] = 1;
  header.writeUInt16LE(3, 16); // ET_DYN
  header.writeUInt16LE(options.machine, 18);
  header.writeBigUInt64LE(64n, 32); // e_phoff
  header.writeUInt16LE(56, 54); // e_phentsize
  header.writeUInt16LE(1, 56); // e_phnum
  header.writeUInt32LE(options.interp ? 3 : 1, 64); // PT_INTERP or PT_LOAD
  return Buffer.concat([header, Buffer.from(options.strings ?? "", "latin1")]);
}

// File modes (the helper's executable bit) are POSIX; the release tool runs on Linux runners only.
const posix = process.platform !== "win32";
if (!posix) console.warn("collect-prebuilds.test: SKIPPED on Windows — the tool checks POSIX file modes and runs on Linux release runners");

const GLIBC_ADDON = "libc.so.6\0GLIBC_2.2.5\0GLIBC_2.17\0";
const MUSL_ADDON = "libc.musl-x86_64.so.1\0";

let root: string;
let prebuilds: string;

function run(...args: string[]): { code: number | null; out: string } {
  const result = spawnSync(process.execPath, [tool, ...args, "--prebuilds", prebuilds], { encoding: "utf8" });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

/** Writes prebuilds/<target>/ (or another folder) with a valid addon and helper for that target. */
function writeTarget(dir: string, target: string, overrides: { addon?: Buffer; helper?: Buffer; helperMode?: number } = {}): void {
  const machine = target.includes("arm64") ? EM_AARCH64 : EM_X86_64;
  const musl = target.endsWith("-musl");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "cordon_native.node"), overrides.addon ?? fakeElf({ machine, strings: musl ? MUSL_ADDON : GLIBC_ADDON }));
  writeFileSync(path.join(dir, "cordon-exec"), overrides.helper ?? fakeElf({ machine }));
  chmodSync(path.join(dir, "cordon-exec"), overrides.helperMode ?? 0o755);
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "cordon-prebuilds-test-"));
  prebuilds = path.join(root, "prebuilds");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe.runIf(posix)("collect-prebuilds verify", () => {
  it("accepts complete targets and reports the glibc floor of the addon", () => {
    writeTarget(path.join(prebuilds, "linux-x64"), "linux-x64");
    writeTarget(path.join(prebuilds, "linux-arm64-musl"), "linux-arm64-musl");
    const result = run("verify", "--any");
    expect(result.out).toContain("prebuilds/linux-x64: ok (needs glibc >= 2.17)");
    expect(result.out).toContain("prebuilds/linux-arm64-musl: ok");
    expect(result.code).toBe(0);
  });

  it("refuses an empty prebuilds folder (the package would ship without cordon-exec)", () => {
    const result = run("verify", "--any");
    expect(result.code).toBe(1);
    expect(result.out).toContain(`no prebuilt native parts in ${prebuilds}: the package would ship without cordon-exec`);
  });

  it("--all lists every missing target of a release", () => {
    writeTarget(path.join(prebuilds, "linux-x64"), "linux-x64");
    const result = run("verify", "--all");
    expect(result.code).toBe(1);
    for (const target of ["linux-arm64", "linux-x64-musl", "linux-arm64-musl"]) {
      expect(result.out).toContain(`prebuilds/${target}: ${path.join(prebuilds, target, "cordon_native.node")} is missing`);
    }
    expect(result.out).not.toContain("prebuilds/linux-x64:");
  });

  it("refuses a missing helper", () => {
    writeTarget(path.join(prebuilds, "linux-x64"), "linux-x64");
    rmSync(path.join(prebuilds, "linux-x64", "cordon-exec"));
    const result = run("verify", "--target", "linux-x64");
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${path.join(prebuilds, "linux-x64", "cordon-exec")} is missing`);
  });

  it("refuses a helper that is not executable", () => {
    writeTarget(path.join(prebuilds, "linux-x64"), "linux-x64", { helperMode: 0o644 });
    const result = run("verify", "--target", "linux-x64");
    expect(result.code).toBe(1);
    expect(result.out).toContain("cordon-exec is not executable (mode 644)");
  });

  it("refuses a dynamically linked helper (a loader would run before it confines itself)", () => {
    writeTarget(path.join(prebuilds, "linux-x64"), "linux-x64", { helper: fakeElf({ machine: EM_X86_64, interp: true }) });
    const result = run("verify", "--target", "linux-x64");
    expect(result.code).toBe(1);
    expect(result.out).toContain("cordon-exec is dynamically linked (has PT_INTERP)");
  });

  it("refuses a binary built for the wrong architecture", () => {
    writeTarget(path.join(prebuilds, "linux-arm64"), "linux-x64");
    const result = run("verify", "--target", "linux-arm64");
    expect(result.code).toBe(1);
    expect(result.out).toContain("ELF machine 62, expected 183 (arm64)");
  });

  it("refuses a glibc addon in a musl target and a musl addon in a glibc target", () => {
    writeTarget(path.join(prebuilds, "linux-x64-musl"), "linux-x64");
    writeTarget(path.join(prebuilds, "linux-x64"), "linux-x64-musl");
    const musl = run("verify", "--target", "linux-x64-musl");
    expect(musl.code).toBe(1);
    expect(musl.out).toContain("cordon_native.node: not linked against musl (target linux-x64-musl)");
    const glibc = run("verify", "--target", "linux-x64");
    expect(glibc.code).toBe(1);
    expect(glibc.out).toContain("cordon_native.node: not linked against glibc (target linux-x64)");
  });

  it("refuses a file that is not ELF", () => {
    writeTarget(path.join(prebuilds, "linux-x64"), "linux-x64", { addon: Buffer.from("not a binary") });
    const result = run("verify", "--target", "linux-x64");
    expect(result.code).toBe(1);
    expect(result.out).toContain("cordon_native.node: not an ELF file");
  });

  it("--max-glibc refuses an addon that needs a newer glibc, and accepts one at the floor", () => {
    writeTarget(path.join(prebuilds, "linux-x64"), "linux-x64");
    const tooNew = run("verify", "--target", "linux-x64", "--max-glibc", "2.14");
    expect(tooNew.code).toBe(1);
    expect(tooNew.out).toContain("needs glibc 2.17, newer than the supported floor 2.14: build it in an older container");
    expect(run("verify", "--target", "linux-x64", "--max-glibc", "2.17").code).toBe(0);
  });

  it("refuses stray entries under prebuilds/ (they would be published)", () => {
    writeTarget(path.join(prebuilds, "linux-x64"), "linux-x64");
    writeFileSync(path.join(prebuilds, "stray.txt"), "x");
    const result = run("verify", "--any");
    expect(result.code).toBe(1);
    expect(result.out).toContain(`unexpected entries in ${prebuilds} (they would be published): stray.txt`);
  });

  it("refuses an unknown target name", () => {
    const result = run("verify", "--target", "linux-riscv64");
    expect(result.code).toBe(1);
    expect(result.out).toContain('unknown target "linux-riscv64"');
  });
});

describe.runIf(posix)("collect-prebuilds collect (release)", () => {
  const targets = ["linux-x64", "linux-arm64", "linux-x64-musl", "linux-arm64-musl"];

  it("copies every prebuild-<target> artifact into prebuilds/<target>/ and restores the helper's mode", () => {
    const artifacts = path.join(root, "artifacts");
    // Artifact downloads lose file modes: simulate that with a non-executable helper.
    for (const target of targets) writeTarget(path.join(artifacts, `prebuild-${target}`), target, { helperMode: 0o644 });
    const result = run("collect", artifacts);
    expect(result.out).toContain("prebuilds/linux-arm64-musl: ok");
    expect(result.code).toBe(0);
    for (const target of targets) expect(statSync(path.join(prebuilds, target, "cordon-exec")).mode & 0o777).toBe(0o755);
  });

  it("refuses a partial download and copies nothing", () => {
    const artifacts = path.join(root, "artifacts");
    for (const target of targets.slice(0, 3)) writeTarget(path.join(artifacts, `prebuild-${target}`), target);
    const result = run("collect", artifacts);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`artifacts missing in ${artifacts}: prebuild-linux-arm64-musl`);
    expect(existsSync(prebuilds)).toBe(false);
  });
});
