// Windows-only: the native addon and launcher for real. Skipped loudly elsewhere. The end-to-end part
// also needs an administrator runner with `cordon setup windows` done (CORDON_WINDOWS_E2E=1 opts in,
// because setup creates local accounts and firewall filters on the machine).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const onWindows = process.platform === "win32";
if (!onWindows) console.warn(`[enforce-windows] SKIPPING native and end-to-end tests: they need Windows (this host is ${process.platform})`);
const e2e = onWindows && process.env["CORDON_WINDOWS_E2E"] === "1";
if (onWindows && !e2e) console.warn("[enforce-windows] SKIPPING end-to-end sandbox tests: set CORDON_WINDOWS_E2E=1 on an administrator runner (setup creates accounts and WFP filters)");

describe.runIf(onWindows)("native addon (Windows)", () => {
  let dir: string;
  beforeAll(() => {
    const build = spawnSync("npm", ["run", "build:native"], { cwd: join(import.meta.dirname, ".."), stdio: "inherit", shell: true });
    expect(build.status).toBe(0);
    dir = mkdtempSync(join(tmpdir(), "cordon-win-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports the current user, drives and path states", async () => {
    const { loadNative } = await import("../src/native.js");
    const native = loadNative();
    expect(native.currentUserSid()).toMatch(/^S-1-5-/);
    expect(native.localDrives()).toContain((process.env["SystemDrive"] ?? "C:").toUpperCase());
    writeFileSync(join(dir, "f.txt"), "x");
    expect(native.pathState(join(dir, "f.txt"))).toBe("file");
    expect(native.pathState(dir)).toBe("directory");
    expect(native.pathState(join(dir, "missing"))).toBe("missing");
  });

  it("adds and removes an ACE for a private SID, leaving the DACL as it was", async () => {
    const { loadNative } = await import("../src/native.js");
    const native = loadNative();
    const target = join(dir, "acl");
    mkdirSync(target);
    const before = spawnSync("icacls", [target], { encoding: "utf8" }).stdout;
    native.addAce({ path: target, sid: "S-1-5-21-1-2-3-4", type: "deny", mask: 0x000d0156, inherit: true });
    expect(spawnSync("icacls", [target], { encoding: "utf8" }).stdout).toContain("S-1-5-21-1-2-3-4");
    native.removeAces(target, "S-1-5-21-1-2-3-4");
    expect(spawnSync("icacls", [target], { encoding: "utf8" }).stdout).toBe(before);
  });

  it("scans for objects that would not inherit a deny (explicit ACE, protected DACL)", async () => {
    const { loadNative } = await import("../src/native.js");
    const native = loadNative();
    const root = join(dir, "scan");
    mkdirSync(join(root, "plain"), { recursive: true });
    mkdirSync(join(root, "explicit"));
    spawnSync("icacls", [join(root, "explicit"), "/grant", "*S-1-1-0:(R)"]);
    expect(native.scanInheritanceBreaks(root, 1000)).toEqual([join(root, "explicit")]);
    expect(() => native.scanInheritanceBreaks(root, 1)).toThrow();
  });

  it("resolves 8.3 short names to long names", async () => {
    const { loadNative } = await import("../src/native.js");
    const native = loadNative();
    const long = join(dir, "a-very-long-directory-name");
    mkdirSync(long);
    const short = spawnSync("cmd.exe", ["/d", "/c", `for %I in ("${long}") do @echo %~sI`], { encoding: "utf8" }).stdout.trim();
    if (short.includes("~")) expect(native.longPathName(short)?.toUpperCase()).toBe(long.toUpperCase());
    else console.warn("[enforce-windows] 8.3 names are disabled on this volume; short-name check skipped");
  });
});

describe.runIf(e2e)("sandboxed run (Windows, administrator, after setup)", () => {
  let dir: string;
  beforeAll(async () => {
    const { setupWindows } = await import("../src/setup.js");
    const { defaultStateDir } = await import("../src/gather.js");
    setupWindows({ profileDir: process.env["USERPROFILE"] ?? null, stateDir: defaultStateDir() });
    dir = mkdtempSync(join(process.env["USERPROFILE"] ?? tmpdir(), "cordon-e2e-"));
    mkdirSync(join(dir, "repo", "secrets"), { recursive: true });
    writeFileSync(join(dir, "repo", "secrets", "key.txt"), "TOP SECRET");
    writeFileSync(join(dir, "repo", ".env"), "TOKEN=1");
    writeFileSync(join(dir, "repo", "ok.txt"), "fine");
    mkdirSync(join(dir, "outside"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(script: string): Promise<{ code: number; stdout: string }> {
    const { windowsBackend } = await import("../src/index.js");
    const repo = join(dir, "repo").replaceAll("\\", "/");
    const drive = repo.slice(0, 3);
    const policy = {
      schemaVersion: 1 as const,
      profile: "e2e",
      unrestricted: false,
      platform: "windows" as const,
      cwd: repo,
      home: (process.env["USERPROFILE"] ?? "").replaceAll("\\", "/"),
      workspaceRoots: [repo],
      filesystem: {
        rules: [
          { path: drive, access: "read" as const, origin: { kind: "builtin" as const }, entry: ":root" },
          { path: repo, access: "write" as const, origin: { kind: "builtin" as const }, entry: ":workspace_roots" },
          { path: `${repo}/secrets`, access: "deny" as const, origin: { kind: "builtin" as const }, entry: "secrets" },
        ],
        denyGlobs: [{ pattern: `${repo}/**/*.env`, base: repo, origin: { kind: "builtin" as const }, entry: "**/*.env" }],
        globScanMaxDepth: null,
        caseSensitive: false,
        protectedPaths: [],
        minimal: false,
      },
      network: { enabled: false, mode: "limited" as const, allowLocalBinding: false, enableSocks5: false, enableSocks5Udp: false, proxyUrl: "", socksUrl: "", allowUpstreamProxy: false, domains: [], unixSockets: [] },
      environment: {},
      sources: { config: [], requirements: [] },
      warnings: [],
    };
    const env = { SystemRoot: process.env["SystemRoot"] ?? "C:\\Windows", PATH: `${process.env["SystemRoot"]}\\System32` };
    const planned = await windowsBackend.plan(policy, { argv: ["cmd.exe", "/d", "/c", script], cwd: join(dir, "repo"), env });
    if (!planned.ok) throw new Error(JSON.stringify(planned.refusal));
    const proc = await windowsBackend.launch(planned.plan, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    proc.child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    const status = await proc.exited;
    return { code: status.code, stdout };
  }

  it("control: reads and writes inside the workspace work", async () => {
    const r = await run("type ok.txt && echo new> created.txt");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("fine");
    expect(readFileSync(join(dir, "repo", "created.txt"), "utf8")).toContain("new");
  });

  it("a denied file cannot be read, also through an ADS or 8.3 spelling", async () => {
    for (const spelling of ["secrets\\key.txt", "secrets\\key.txt::$DATA", "SECRETS\\KEY.TXT", ".env", ".ENV."]) {
      const r = await run(`type ${spelling}`);
      expect(r.code, spelling).not.toBe(0);
      expect(r.stdout).not.toContain("TOP SECRET");
      expect(r.stdout).not.toContain("TOKEN=1");
    }
  });

  it("writes outside the workspace fail and leave nothing behind; ACEs are removed after the run", async () => {
    const target = join(dir, "outside", "x.txt");
    const r = await run(`echo pwned> "${target}"`);
    expect(r.code).not.toBe(0);
    expect(existsSync(target)).toBe(false);
    const acl = spawnSync("icacls", [join(dir, "repo")], { encoding: "utf8" }).stdout;
    expect(acl).not.toMatch(/CordonSandbox/i);
  });
});
