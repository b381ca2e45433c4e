// Windows-only: the native addon and launcher for real. Skipped loudly elsewhere. The end-to-end part
// also needs an administrator runner with `cordon setup windows` done (CORDON_WINDOWS_E2E=1 opts in,
// because setup creates local accounts and firewall filters on the machine).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Denial, DomainRule, NetworkPolicy } from "@cordon/policy-model";
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

  const NETWORK_OFF = { enabled: false, mode: "limited" as const, allowLocalBinding: false, enableSocks5: false, enableSocks5Udp: false, proxyUrl: "http://127.0.0.1:0", socksUrl: "socks5://127.0.0.1:0", allowUpstreamProxy: false, domains: [] as DomainRule[], unixSockets: [] };

  async function run(script: string, network: NetworkPolicy = NETWORK_OFF, logDenials = false): Promise<{ code: number; stdout: string; denials: readonly Denial[] }> {
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
      network,
      environment: {},
      sources: { config: [], requirements: [] },
      warnings: [],
    };
    const env = { SystemRoot: process.env["SystemRoot"] ?? "C:\\Windows", PATH: `${process.env["SystemRoot"]}\\System32` };
    const planned = await windowsBackend.plan(policy, { argv: ["cmd.exe", "/d", "/c", script], cwd: join(dir, "repo"), env });
    if (!planned.ok) throw new Error(JSON.stringify(planned.refusal));
    const proc = await windowsBackend.launch(planned.plan, { stdio: ["ignore", "pipe", "pipe"], logDenials });
    let stdout = "";
    proc.child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.child.stderr?.on("data", (d: Buffer) => (stdout += d.toString()));
    const status = await proc.exited;
    return { code: status.code, stdout, denials: status.denials };
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
  describe("managed egress proxy: the command's only route out (spec 5)", () => {
    let target: http.Server;
    let targetPort = 0;
    let requests: string[] = [];
    const online: NetworkPolicy = { ...NETWORK_OFF, enabled: true, domains: [{ pattern: "127.0.0.1", decision: "allow", origin: { kind: "builtin" } }] };
    // curl.exe ships in System32 (Windows 10 1803+), which is the sandboxed command's PATH.
    beforeAll(async () => {
      target = http.createServer((req, res) => {
        requests.push(req.url ?? "");
        res.end(`REACHED ${req.url}`);
      });
      // An ephemeral port: outside the proxy range, so only the proxy (not the sandbox user) may reach it.
      targetPort = await new Promise<number>((r) => target.listen(0, "127.0.0.1", () => r((target.address() as AddressInfo).port)));
    });
    afterAll(() => target.close());

    it("allowed: curl reaches the allowed loopback server through the proxy", async () => {
      requests = [];
      const r = await run(`curl.exe -sS http://127.0.0.1:${targetPort}/via-proxy`, online);
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toContain("REACHED /via-proxy");
      expect(requests).toEqual(["/via-proxy"]);
    });

    it("denied host: the proxy answers 403 and --log-denials reports it", async () => {
      requests = [];
      const r = await run(`curl.exe -sS -i http://blocked.example:${targetPort}/x`, online, true);
      expect(r.stdout).toMatch(/HTTP\/1\.1 403/);
      expect(requests).toEqual([]);
      expect(r.denials).toContainEqual({ kind: "network", operation: "connect", target: `blocked.example:${targetPort}`, detail: "not_allowed" });
    });

    it("bypass: a direct connection that ignores the proxy variables fails (the server sees nothing)", async () => {
      requests = [];
      const r = await run(`curl.exe -sS --noproxy * --max-time 5 http://127.0.0.1:${targetPort}/direct`, online);
      expect(r.code).not.toBe(0);
      expect(r.stdout).not.toContain("REACHED");
      expect(requests).toEqual([]);
    });

    it("network off: nothing is reachable, not even a port of the proxy range", async () => {
      requests = [];
      const decoy = http.createServer((_req, res) => res.end("DECOY"));
      await new Promise<void>((r) => decoy.listen(41730, "127.0.0.1", () => r()));
      try {
        const direct = await run(`curl.exe -sS --max-time 5 http://127.0.0.1:${targetPort}/off`);
        expect(direct.code).not.toBe(0);
        const viaRange = await run(`curl.exe -sS --max-time 5 http://127.0.0.1:41730/`);
        expect(viaRange.code).not.toBe(0);
        expect(viaRange.stdout).not.toContain("DECOY");
        expect(requests).toEqual([]);
      } finally {
        decoy.close();
      }
    });
  });
});
