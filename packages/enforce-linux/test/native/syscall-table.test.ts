// The aarch64 column of native/linux/syscall_table.h checked against the generic syscall table
// (asm-generic/unistd.h, which arm64 uses) — the native build only checks the host's own arch.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isLinux, packageDir } from "./harness.js";

const source = path.join(packageDir, "native", "linux", "syscall_table.cc");

function compile(extra: string[], file = source): { status: number | null; stderr: string } {
  const result = spawnSync("c++", ["-std=c++17", "-fsyntax-only", ...extra, file], { encoding: "utf8" });
  return { status: result.status, stderr: result.stderr };
}

describe.runIf(isLinux)("syscall table", () => {
  it("matches the generic (aarch64) numbers", () => {
    expect(compile(["-DCORDON_CHECK_GENERIC_UNISTD"])).toEqual({ status: 0, stderr: "" });
  });

  it("matches the host arch's numbers", () => {
    expect(compile([])).toEqual({ status: 0, stderr: "" });
  });

  it("control: a wrong number fails the check", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cordon-table-"));
    try {
      const header = readFileSync(path.join(packageDir, "native", "linux", "syscall_table.h"), "utf8").replace("X(ptrace, 101, 117)", "X(ptrace, 101, 118)");
      expect(header).toContain("X(ptrace, 101, 118)");
      writeFileSync(path.join(dir, "syscall_table.h"), header);
      writeFileSync(path.join(dir, "syscall_table.cc"), readFileSync(source, "utf8"));
      const result = compile(["-DCORDON_CHECK_GENERIC_UNISTD"], path.join(dir, "syscall_table.cc"));
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain("syscall number mismatch: ptrace");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
