// The N-API addon and the artifact lookup: Landlock ABI and seccomp availability match what the kernel says.
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execHelperPath, isMuslRuntime, loadNative, nativeArtifactDirs, supportsUnixSocketMediation } from "../../src/native.js";
import { createWorkspace, isLinux, packageDir, type Workspace } from "./harness.js";

let ws: Workspace;
beforeAll(() => {
  if (isLinux) ws = createWorkspace();
});
afterAll(() => ws?.cleanup());

describe.runIf(isLinux)("native addon", () => {
  it("reports the kernel's Landlock ABI (7 on this machine's 6.18 kernel)", () => {
    const abi = loadNative().landlockAbi();
    const independent = Number(spawnSync(ws.probe, ["landlock-abi"], { encoding: "utf8" }).stdout.trim());
    expect(abi).toBe(independent);
    expect(Number.isInteger(abi)).toBe(true);
    console.info(`Landlock ABI reported by the addon: ${abi}`);
    // Kernels 6.15+ with Landlock enabled have ABI 7 (this machine: 6.18).
    if (independent > 0 && /^6\.(1[5-9]|[2-9]\d)\./.test(os.release())) expect(abi).toBe(7);
  });

  it("reports seccomp filters as available when the kernel exposes them", () => {
    const status = readFileSync("/proc/self/status", "utf8");
    expect(loadNative().seccompAvailable()).toBe(/^Seccomp_filters:\s*\d+$/m.test(status));
  });

  it("returns the same binding object on every call", () => {
    expect(loadNative()).toBe(loadNative());
  });

  it("finds cordon-exec in build/Release first, and it is executable", () => {
    const helper = execHelperPath();
    expect(helper).toBe(path.join(packageDir, "build", "Release", "cordon-exec"));
    accessSync(helper, constants.X_OK);
    expect(nativeArtifactDirs()).toEqual([path.join(packageDir, "build", "Release"), path.join(packageDir, "prebuilds", `linux-${process.arch}`)]);
  });

  it("looks for musl prebuilds (prebuilds/linux-<arch>-musl) on musl, detected from node's ELF interpreter without process.report", () => {
    const spy = vi.spyOn(process.report, "getReport");
    try {
      expect(isMuslRuntime()).toBe(false); // this host runs glibc (/lib64/ld-linux-*)
      expect(spy).not.toHaveBeenCalled(); // the 10-20 ms report is only a fallback
    } finally {
      spy.mockRestore();
    }
    expect(nativeArtifactDirs(true)).toEqual([path.join(packageDir, "build", "Release"), path.join(packageDir, "prebuilds", `linux-${process.arch}-musl`)]);
    expect(nativeArtifactDirs()[1]).toBe(path.join(packageDir, "prebuilds", `linux-${process.arch}`));
  });

  it("reports unix socket mediation as supported: user notifications, pidfd_getfd (Linux >= 5.6), no Yama scope >= 2", () => {
    const [major = 0, minor = 0] = os.release().split(".").map(Number);
    const yama = (() => {
      try {
        return Number(readFileSync("/proc/sys/kernel/yama/ptrace_scope", "utf8"));
      } catch {
        return 0;
      }
    })();
    const expected = (major > 5 || (major === 5 && minor >= 6)) && yama < 2 && loadNative().seccompAvailable();
    expect(loadNative().unixSocketMediationAvailable()).toBe(expected);
    expect(supportsUnixSocketMediation()).toBe(expected);
    expect(expected).toBe(true); // this machine: 6.18 without Yama; the mediation tests rely on it
  });

  it("links cordon-exec statically, so no dynamic loader (LD_PRELOAD) runs before it confines itself (ENV-05)", () => {
    const elf = readFileSync(execHelperPath());
    expect(elf.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(elf.includes(Buffer.from("/lib64/ld-linux")) || elf.includes(Buffer.from("/lib/ld-linux"))).toBe(false);
    const preload = spawnSync(execHelperPath(), [], { env: { LD_PRELOAD: "/nonexistent/evil.so" }, encoding: "utf8" });
    expect(preload.stderr).not.toContain("evil.so"); // a dynamic binary would print "ld.so: object ... cannot be preloaded"
    expect(preload.status).toBe(125);
  });
});
