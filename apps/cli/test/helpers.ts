// Spawns the BUILT cordon CLI the way scripts and harnesses do, with an isolated config environment.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The executable users get: the package's `bin` (the bundled dist/cordon.js, see build.mjs). */
export const CLI = join(PACKAGE_DIR, (JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { bin: { cordon: string } }).bin.cordon);

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Sandbox {
  /** A git repository to run in. */
  readonly repo: string;
  /** CORDON_HOME and CORDON_SYSTEM_DIR, empty unless a test writes config there. */
  readonly home: string;
  readonly systemDir: string;
  readonly env: Record<string, string>;
  write(relativePath: string, content: string): string;
  cli(args: readonly string[], options?: { env?: Record<string, string>; cwd?: string }): CliResult;
}

/** A fresh temp tree: a git repo (with .git/), isolated CORDON_HOME / CORDON_SYSTEM_DIR. */
export function makeSandbox(): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "cordon-cli-")));
  const repo = join(root, "repo");
  const home = join(root, "cordon-home");
  const systemDir = join(root, "cordon-system");
  mkdirSync(join(repo, ".git"), { recursive: true });
  writeFileSync(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
  mkdirSync(home);
  mkdirSync(systemDir);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? root,
    CORDON_HOME: home,
    CORDON_SYSTEM_DIR: systemDir,
  };
  const write = (relativePath: string, content: string): string => {
    const file = join(root, relativePath);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    return file;
  };
  const cli = (args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): CliResult => {
    const result = spawnSync(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? repo,
      env: { ...env, ...options.env },
      encoding: "utf8",
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  return { repo, home, systemDir, env, write, cli };
}

/** A message that leaked a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+\(.+:\d+:\d+\)/.test(text) || /\n\s+at file:\/\//.test(text);
}
