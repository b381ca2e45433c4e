// Test harness for the native parts: compiles the C probe, runs cordon-exec for real (as root and as an
// unprivileged uid via setpriv), and hands the spec over on fd 3 the way the launcher does.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encodeExecSpec } from "../../src/exec-spec-encode.js";
import type { ExecSpec } from "../../src/exec-spec.js";
import { execHelperPath, loadNative, type SeccompOptions } from "../../src/native.js";

export const isLinux = process.platform === "linux";
export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** A uid with no passwd entry, used as the unprivileged user (nothing is added to the system). */
export const UNPRIVILEGED_UID = (() => {
  if (!isLinux) return 61234;
  const taken = new Set(readFileSync("/etc/passwd", "utf8").split("\n").map((line) => Number(line.split(":")[2])));
  let uid = 61234;
  while (taken.has(uid)) uid += 1;
  return uid;
})();

export interface TestUser {
  readonly name: "root" | "unprivileged";
  /** Command prefix that switches to this user (empty for the current user). */
  readonly prefix: readonly string[];
  readonly uid: number;
}

export const ROOT: TestUser = { name: "root", prefix: [], uid: 0 };
export const UNPRIVILEGED: TestUser = isRoot
  ? { name: "unprivileged", prefix: ["setpriv", `--reuid=${UNPRIVILEGED_UID}`, `--regid=${UNPRIVILEGED_UID}`, "--clear-groups", "--"], uid: UNPRIVILEGED_UID }
  : { name: "unprivileged", prefix: [], uid: process.getuid?.() ?? 0 };

/** The users the "key tests" run as: root only when the suite itself runs as root (CI does). */
export const TEST_USERS: readonly TestUser[] = isRoot ? [ROOT, UNPRIVILEGED] : [UNPRIVILEGED];
if (isLinux && !isRoot) console.warn("native tests: not running as root, so the root variants of the key tests are SKIPPED");

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Fails loudly (never skips) when build:native has not run. */
export function helperPath(): string {
  return execHelperPath();
}

export interface Workspace {
  readonly dir: string;
  readonly probe: string;
  /** Path under the workspace. */
  file(name: string): string;
  /** Creates a file owned by `uid` (so the unprivileged user could write it without Landlock). */
  writeOwned(name: string, content: string, uid: number): string;
  cleanup(): void;
}

/** A world-readable temp dir holding a freshly compiled probe. */
export function createWorkspace(): Workspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cordon-native-"));
  chmodSync(dir, 0o755);
  const probe = path.join(dir, "probe");
  const cc = spawnSync("cc", ["-O2", "-Wall", "-pthread", "-o", probe, path.join(packageDir, "test", "native", "fixtures", "probe.c")], { encoding: "utf8" });
  if (cc.status !== 0) throw new Error(`compiling the probe failed: ${cc.stderr}`);
  return {
    dir,
    probe,
    file: (name) => path.join(dir, name),
    writeOwned(name, content, uid) {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      if (isRoot) chownSync(file, uid, uid);
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Makes a directory writable by `uid` (the unprivileged user) without Landlock. */
export function ownedDir(workspace: Workspace, name: string, uid: number): string {
  const dir = workspace.file(name);
  spawnSync("mkdir", ["-p", dir]);
  if (isRoot) chownSync(dir, uid, uid);
  return dir;
}

export const BASE_SPEC: ExecSpec = { landlock: null, seccompProgram: null, keepFds: [], newSession: false, newKeyring: false };

/** Landlock rules that let the dynamically linked probe start: the system read-only, plus `extra`. */
export function landlockSpec(workspace: Workspace, extra: { path: string; rights: "read" | "write" }[], overrides: Partial<NonNullable<ExecSpec["landlock"]>> = {}): NonNullable<ExecSpec["landlock"]> {
  return {
    minAbi: 1,
    rules: [{ path: "/usr", rights: "read" }, { path: "/etc", rights: "read" }, { path: workspace.probe, rights: "read" }, ...extra],
    tcpConnectPorts: null,
    denyTcpBind: false,
    scopeSignals: false,
    scopeAbstractUnix: false,
    logDenials: false,
    ...overrides,
  };
}

export function seccompProgram(options: SeccompOptions): Uint8Array {
  return loadNative().buildSeccompProgram(options);
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Spec object (encoded here) or raw bytes (for malformed-input tests). */
  readonly spec: ExecSpec | Uint8Array;
  /** The command after `--`. */
  readonly command: readonly string[];
  readonly user?: TestUser;
  /** Environment of the helper process itself. */
  readonly env?: NodeJS.ProcessEnv;
  /** Extra fds passed at positions 4, 5, … of the child's fd table. */
  readonly extraFds?: readonly number[];
  /** Replaces the whole helper argv (for CLI tests). */
  readonly helperArgs?: readonly string[];
  /** A command (e.g. probe withkey …) that execs the helper. */
  readonly wrapper?: readonly string[];
  /** Control runs: run `command` directly, without the helper (same fds and user). */
  readonly direct?: boolean;
}

/** Runs cordon-exec (or, for controls, the command directly) with the spec on fd 3 and collects its output. */
export function runHelper(options: RunOptions): Promise<RunResult> {
  const bytes = options.spec instanceof Uint8Array ? options.spec : encodeExecSpec(options.spec);
  const specFile = path.join(mkdtempSync(path.join(os.tmpdir(), "cordon-spec-")), "spec");
  writeFileSync(specFile, bytes);
  const specFd = openSync(specFile, "r");
  const helperArgs = options.helperArgs ?? ["--spec-fd", "3", "--", ...options.command];
  const argv = options.direct
    ? [...(options.user?.prefix ?? []), ...options.command]
    : [...(options.user?.prefix ?? []), ...(options.wrapper ?? []), helperPath(), ...helperArgs];
  const [command, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe", specFd, ...(options.extraFds ?? [])],
      env: options.env ?? { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    closeSync(specFd);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      rmSync(path.dirname(specFile), { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Parses "case errno" lines from `probe sys`. */
export function parseSys(stdout: string): Map<string, number> {
  const results = new Map<string, number>();
  for (const line of stdout.trim().split("\n")) {
    const [name, value] = line.split(" ");
    if (name !== undefined && value !== undefined) results.set(name, Number(value));
  }
  return results;
}

export function exists(file: string): boolean {
  return existsSync(file);
}

/** Hand-built spec bytes: strings as UTF-8, numbers as u32 little-endian, byte arrays as they are. */
export function wire(...parts: (string | number | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((p) => {
    if (typeof p === "string") return new TextEncoder().encode(p);
    if (p instanceof Uint8Array) return p;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, p >>> 0, true);
    return b;
  });
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
