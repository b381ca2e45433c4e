// Test helpers: throwaway fixture trees with their own HOME, CORDON_HOME and CORDON_SYSTEM_DIR.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, expect } from "vitest";
import { CordonError } from "../../src/errors.js";
import type { ResolveOptions } from "../../src/config/types.js";

const created: string[] = [];
afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface Fixture {
  /** Absolute fixture root. */
  readonly root: string;
  /** HOME, CORDON_HOME (root/home/.cordon-test), CORDON_SYSTEM_DIR (root/etc-cordon); no TMPDIR. */
  readonly env: Record<string, string>;
  readonly home: string;
  readonly cordonHome: string;
  readonly systemDir: string;
  /** Absolute path of a fixture-relative path. */
  path(relative: string): string;
  /** Writes a file (parents created) and returns its absolute path. */
  write(relative: string, content: string | Buffer): string;
  /** Creates a directory and returns its absolute path. */
  mkdir(relative: string): string;
  /** ResolveOptions with this fixture's env and the given cwd (fixture-relative). */
  options(cwd: string, extra?: Partial<ResolveOptions>): ResolveOptions;
}

/** A fresh fixture tree; `files` maps fixture-relative paths to contents (a trailing "/" makes a directory). */
export function makeFixture(files: Record<string, string | Buffer> = {}): Fixture {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "cordon-config-test-")));
  created.push(root);
  const home = join(root, "home");
  const cordonHome = join(root, "cordon-home");
  const systemDir = join(root, "etc-cordon");
  mkdirSync(home, { recursive: true });
  const fixture: Fixture = {
    root,
    home,
    cordonHome,
    systemDir,
    env: { HOME: home, CORDON_HOME: cordonHome, CORDON_SYSTEM_DIR: systemDir, PATH: "/usr/bin:/bin" },
    path: (relative) => join(root, relative),
    write(relative, content) {
      const path = join(root, relative);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    mkdir(relative) {
      const path = join(root, relative);
      mkdirSync(path, { recursive: true });
      return path;
    },
    options: (cwd, extra = {}) => ({ cwd: join(root, cwd), env: fixture.env, platform: "linux", ...extra }),
  };
  for (const [relative, content] of Object.entries(files)) {
    if (relative.endsWith("/")) fixture.mkdir(relative);
    else fixture.write(relative, content);
  }
  return fixture;
}

/** Runs `fn`, asserts it throws a CordonError with `code`, and returns it (never a stack-trace-only Error). */
export function expectCordonError(fn: () => unknown, code: CordonError["code"]): CordonError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CordonError);
    const cordonError = error as CordonError;
    expect(cordonError.code, cordonError.message).toBe(code);
    expect(cordonError.message).not.toMatch(/\n\s+at /);
    return cordonError;
  }
  throw new Error(`expected CordonError ${code}, nothing was thrown`);
}
