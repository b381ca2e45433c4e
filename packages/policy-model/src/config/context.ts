// The host facts a resolution depends on: platform, home, TMPDIR, cordon's own dirs, the project root.
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { CordonError } from "../errors.js";
import type { Platform } from "../resolved-policy.js";

/** Absolute locations derived from ResolveOptions and the host environment. */
export interface HostContext {
  readonly platform: Platform;
  readonly cwd: string;
  readonly home: string;
  /** `$TMPDIR` when set and absolute. */
  readonly tmpdir: string | undefined;
  /** `$CORDON_HOME`, default `~/.cordon`. */
  readonly cordonHome: string;
  /** `$CORDON_SYSTEM_DIR`, default `/etc/cordon`. */
  readonly systemDir: string;
  /** Nearest ancestor of cwd holding `.git` (directory or file), else cwd. */
  readonly projectRoot: string;
}

/** The current OS in cordon's vocabulary. */
export function currentPlatform(): Platform {
  if (process.platform === "darwin") return "macos";
  if (process.platform === "win32") return "windows";
  return "linux";
}

/** Builds the host context; throws CordonError when cwd is not an existing directory or a cordon dir variable is relative. */
export function hostContext(options: {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  platform?: Platform;
}): HostContext {
  const { env } = options;
  if (!isAbsolute(options.cwd)) {
    throw new CordonError("E_PATH", `working directory ${JSON.stringify(options.cwd)} must be an absolute path`);
  }
  const cwd = resolve(options.cwd);
  if (!isDirectory(cwd)) {
    // Least privilege: never grant write on a workspace that does not exist.
    throw new CordonError("E_PATH", `working directory ${JSON.stringify(cwd)} does not exist or is not a directory`);
  }
  const platform = options.platform ?? currentPlatform();
  const homeVar = platform === "windows" ? (env["USERPROFILE"] ?? env["HOME"]) : env["HOME"];
  const home = homeVar && isAbsolute(homeVar) ? resolve(homeVar) : homedir();
  const tmpdirVar = env["TMPDIR"];
  const tmpdir = tmpdirVar && isAbsolute(tmpdirVar) ? resolve(tmpdirVar) : undefined;
  const cordonHome = dirFromEnv(env, "CORDON_HOME", join(home, ".cordon"));
  const defaultSystemDir = platform === "windows" ? join(env["ProgramData"] ?? "C:\\ProgramData", "cordon") : "/etc/cordon";
  const systemDir = dirFromEnv(env, "CORDON_SYSTEM_DIR", defaultSystemDir);
  return { platform, cwd, home, tmpdir, cordonHome, systemDir, projectRoot: findProjectRoot(cwd) };
}

function dirFromEnv(env: Readonly<Record<string, string | undefined>>, name: string, fallback: string): string {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (!isAbsolute(value)) {
    throw new CordonError("E_PATH", `environment variable ${name}=${JSON.stringify(value)} must be an absolute path`);
  }
  return resolve(value);
}

/** Nearest ancestor of `cwd` (itself included) holding `.git` as a directory or a file; else `cwd`. */
export function findProjectRoot(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (exists(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}

/** The directories from `root` down to `cwd`, root first (just `[cwd]` when they are equal). */
export function dirsFromRootToCwd(root: string, cwd: string): string[] {
  const dirs: string[] = [];
  for (let dir = cwd; ; dir = dirname(dir)) {
    dirs.unshift(dir);
    if (dir === root || dirname(dir) === dir) return dirs;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
