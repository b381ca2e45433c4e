// Test helpers for the filesystem model: a compile context, a ResolvedPolicy builder, temp trees.
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { FilesystemContext } from "../../src/filesystem/compile.js";
import type { Origin } from "../../src/origin.js";
import type { DenyGlob, PathRule, Platform, ProtectedPath, ResolvedPolicy } from "../../src/resolved-policy.js";

export const CONFIG = "/home/u/.cordon/config.toml";

/** Origins that encode the key path, so tests can see which key an error or rule came from. */
export function originOf(keyPath: readonly string[]): Origin {
  return { kind: "file", file: CONFIG, line: 10 + keyPath.length, column: keyPath.join("/").length };
}

export function ctx(overrides: Partial<FilesystemContext> = {}): FilesystemContext {
  return {
    cwd: "/repo",
    home: "/home/u",
    platform: "linux",
    workspaceRoots: ["/repo"],
    tmpdir: "/tmp/user-tmp",
    originOf,
    ...overrides,
  };
}

export function rule(path: string, access: PathRule["access"], line = 1): PathRule {
  return { path, access, origin: { kind: "file", file: CONFIG, line }, entry: path };
}

export function denyGlob(base: string, rest: string, line = 9): DenyGlob {
  return { pattern: `${base}/${rest}`, base, origin: { kind: "file", file: CONFIG, line }, entry: `:workspace_roots ${rest}` };
}

export function policy(options: {
  rules: readonly PathRule[];
  denyGlobs?: readonly DenyGlob[];
  protectedPaths?: readonly ProtectedPath[];
  platform?: Platform;
  unrestricted?: boolean;
  cwd?: string;
}): ResolvedPolicy {
  const platform = options.platform ?? "linux";
  return {
    schemaVersion: 1,
    profile: options.unrestricted ? ":danger-full-access" : "test",
    unrestricted: options.unrestricted ?? false,
    platform,
    cwd: options.cwd ?? "/repo",
    home: "/home/u",
    workspaceRoots: ["/repo"],
    filesystem: {
      rules: options.rules,
      denyGlobs: options.denyGlobs ?? [],
      globScanMaxDepth: null,
      caseSensitive: platform === "linux",
      protectedPaths: options.protectedPaths ?? [],
      minimal: false,
    },
    network: {
      enabled: false,
      mode: "limited",
      allowLocalBinding: false,
      enableSocks5: false,
      enableSocks5Udp: false,
      proxyUrl: "http://127.0.0.1:0",
      socksUrl: "socks5://127.0.0.1:0",
      allowUpstreamProxy: false,
      domains: [],
      unixSockets: [],
    },
    environment: {},
    sources: { config: [CONFIG], requirements: [] },
    warnings: [],
  };
}

/** A fresh temp directory (canonical path) removed after the current test. */
export function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "cordon-fs-")));
  created.push(dir);
  return dir;
}
const created: string[] = [];
afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});
