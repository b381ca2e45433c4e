// Test harness for real sandbox runs: builds dist once, runs commands as root or as the unprivileged
// test user, creates fixture trees with canary secrets, and compiles the attack probe.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, lstatSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ResolvedPolicy } from "@cordon/policy-model";

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TEST_USER = "cordon-test";
const RUNNER = path.join(PACKAGE_DIR, "test/helpers/runner.mjs");

export type RunAs = "root" | "user";

export interface RunResult {
  code?: number;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
  refused?: { rule: string; reason: string }[];
  error?: string;
}

/** Why real runs cannot happen here (loudly reported by the suites), or undefined when they can. */
export function realRunBlocker(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (!existsSync("/usr/bin/bwrap")) return "bubblewrap is not installed (apt-get install bubblewrap)";
  if (!existsSync(path.join(PACKAGE_DIR, "build/Release/cordon-exec"))) return "the native helper is not built (npm run build:native -w @cordon/enforce-linux)";
  if (process.geteuid?.() !== 0) return "the attack suite runs as root (it also drives the unprivileged user through runuser)";
  return undefined;
}

let built = false;
/** Compiles src → dist (incremental) so the runner uses the current code. */
export function ensureBuilt(): void {
  if (built) return;
  try {
    execFileSync("npx", ["tsc", "-b", "tsconfig.build.json"], { cwd: PACKAGE_DIR, stdio: "pipe" });
  } catch (error) {
    // A referenced package may be mid-edit; this package alone only needs its references' existing output.
    console.warn(`tsc -b failed (${String((error as { stdout?: unknown }).stdout ?? error).slice(0, 300)}); building this package alone`);
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: PACKAGE_DIR, stdio: "inherit" });
  }
  built = true;
}

/** Ensures the unprivileged test user exists (CI creates it too). */
export function ensureTestUser(): { uid: number; gid: number } {
  if (spawnSync("id", ["-u", TEST_USER]).status !== 0) execFileSync("useradd", ["-m", TEST_USER]);
  const uid = Number(execFileSync("id", ["-u", TEST_USER], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", TEST_USER], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/** Runs argv under policy through the library, as root or as the test user. */
export function runSandboxed(as: RunAs, policy: ResolvedPolicy, argv: string[], extra: Record<string, unknown> = {}, wrap: string[] = []): RunResult {
  const node = process.execPath;
  const base = [...wrap, node, RUNNER];
  const [cmd, ...args] = as === "root" ? base : ["runuser", "-u", TEST_USER, "--", ...base];
  const r = spawnSync(cmd!, args, { input: JSON.stringify({ policy, argv, ...extra }), encoding: "utf8", timeout: 60_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", CORDON_TEST_HOST_CANARY: extra.hostCanary as string ?? "" } });
  if (r.status !== 0 && !r.stdout) return { error: `runner failed (${r.status}): ${r.stderr}` };
  try {
    return JSON.parse(r.stdout) as RunResult;
  } catch {
    return { error: `runner output: ${r.stdout} ${r.stderr}` };
  }
}

/** A fresh fixture dir under /tmp (755), owned by the test user when `as` is user. */
export function fixtureDir(as: RunAs, label: string): string {
  const dir = mkdtempSync(path.join("/tmp", `cordon-${label}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** chown -R for fixtures the test user must own. */
export function chownTree(dir: string, owner: { uid: number; gid: number }): void {
  chownSync(dir, owner.uid, owner.gid);
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) chownTree(p, owner);
    else chownSync(p, owner.uid, owner.gid);
  }
}

export function canary(): string {
  return `CANARY-${randomBytes(8).toString("hex")}`;
}

/** Compiles the attack probe statically into dir (a path every sandbox can read and execute). */
export function buildProbe(dir: string): string {
  const out = path.join(dir, "probe");
  mkdirSync(dir, { recursive: true });
  execFileSync("gcc", ["-static", "-O1", "-o", out, path.join(PACKAGE_DIR, "test/attacks/fixtures/probe.c")]);
  chmodSync(out, 0o755);
  return out;
}

/** Parses `PROBE name result...` lines. */
export function probes(stdout: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (stdout ?? "").split("\n")) {
    const m = /^PROBE (\S+) ?(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}
