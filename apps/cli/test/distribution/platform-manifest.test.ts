// tools/platform-manifest.mjs: os/cpu exist only while a backend is packed, and the source manifest comes back intact.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const tool = path.join(repoRoot, "tools", "platform-manifest.mjs");

let dir: string;

function manifestText(name: string, extra: Record<string, unknown> = {}): string {
  const manifest = { name, version: "0.0.0", type: "module", engines: { node: ">=20.19" }, files: ["dist"], ...extra, scripts: { build: "tsc" } };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function run(command: string, cwd = dir): { code: number | null; out: string } {
  const result = spawnSync(process.execPath, [tool, command], { cwd, encoding: "utf8" });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

function read(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cordon-platform-manifest-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("platform-manifest stamp/unstamp", () => {
  it("stamps linux os and x64/arm64 cpu into enforce-linux right after engines, and unstamp restores the exact text", () => {
    const original = manifestText("@cordon/enforce-linux");
    writeFileSync(path.join(dir, "package.json"), original);
    const stamped = run("stamp");
    expect(stamped.code, stamped.out).toBe(0);
    const manifest = read();
    expect(manifest.os).toEqual(["linux"]);
    expect(manifest.cpu).toEqual(["x64", "arm64"]);
    expect(Object.keys(manifest)).toEqual(["name", "version", "type", "engines", "os", "cpu", "files", "scripts"]);
    expect(run("unstamp").code).toBe(0);
    expect(readFileSync(path.join(dir, "package.json"), "utf8")).toBe(original);
  });

  it("stamps only os for the macOS and Windows backends", () => {
    for (const [name, osName] of [["@cordon/enforce-macos", "darwin"], ["@cordon/enforce-windows", "win32"]] as const) {
      writeFileSync(path.join(dir, "package.json"), manifestText(name));
      expect(run("stamp").code).toBe(0);
      expect(read().os).toEqual([osName]);
      expect(read().cpu).toBeUndefined();
    }
  });

  it("is idempotent (a pack that died before postpack can be re-run)", () => {
    writeFileSync(path.join(dir, "package.json"), manifestText("@cordon/enforce-linux"));
    expect(run("stamp").code).toBe(0);
    const once = readFileSync(path.join(dir, "package.json"), "utf8");
    expect(run("stamp").code).toBe(0);
    expect(readFileSync(path.join(dir, "package.json"), "utf8")).toBe(once);
  });

  it("keeps an edit made to the manifest while the pack ran", () => {
    writeFileSync(path.join(dir, "package.json"), manifestText("@cordon/enforce-linux"));
    expect(run("stamp").code).toBe(0);
    const during = { ...read(), keywords: ["sandbox"] };
    writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(during, null, 2)}\n`);
    expect(run("unstamp").code).toBe(0);
    const after = read();
    expect(after.keywords).toEqual(["sandbox"]);
    expect([after.os, after.cpu]).toEqual([undefined, undefined]);
  });

  it("refuses a source manifest that already carries different platform fields", () => {
    writeFileSync(path.join(dir, "package.json"), manifestText("@cordon/enforce-linux", { os: ["darwin"] }));
    const result = run("stamp");
    expect(result.code).toBe(1);
    expect(result.out).toContain('"os" is ["darwin"] but the release stamps ["linux"]; source manifests must not carry os/cpu');
    expect(read().os).toEqual(["darwin"]);
  });

  it("refuses to stamp a package that has no platform (policy-model installs everywhere)", () => {
    writeFileSync(path.join(dir, "package.json"), manifestText("@cordon/policy-model"));
    const result = run("stamp");
    expect(result.code).toBe(1);
    expect(result.out).toContain("@cordon/policy-model has no platform fields to stamp");
    expect(read().os).toBeUndefined();
  });

  it("unstamp is a no-op on a clean manifest", () => {
    const original = manifestText("@cordon/enforce-macos");
    writeFileSync(path.join(dir, "package.json"), original);
    expect(run("unstamp").code).toBe(0);
    expect(readFileSync(path.join(dir, "package.json"), "utf8")).toBe(original);
  });
});

describe("platform-manifest check (the monorepo's own manifests)", () => {
  it("finds no os/cpu in any workspace package.json (npm install must work on every OS)", () => {
    const result = run("check", repoRoot);
    expect(result.out).toContain("no source manifest carries os/cpu");
    expect(result.code).toBe(0);
  });
});
