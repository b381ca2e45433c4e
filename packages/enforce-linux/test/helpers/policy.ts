// Builds ResolvedPolicy and LinuxHostFacts values by hand for planner tests.
import type { Access, DenyGlob, PathRule, ProtectedPath, ResolvedPolicy } from "@cordon/policy-model";
import type { LinuxHostFacts, PathFact } from "../../src/types.js";

export const TEST_ORIGIN = { kind: "file", file: "/etc/cordon/config.toml", line: 7 } as const;

export function rule(path: string, access: Access, entry = path): PathRule {
  return { path, access, entry, origin: TEST_ORIGIN };
}

export function denyGlob(pattern: string, base: string): DenyGlob {
  return { pattern, base, origin: TEST_ORIGIN, entry: pattern };
}

export function metadata(path: string, state: ProtectedPath["state"], root: string, preventCreation = state === "missing"): ProtectedPath {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return { path, reason: "metadata", name, root, state, preventCreation };
}

export interface PolicyParts {
  rules: PathRule[];
  denyGlobs?: DenyGlob[];
  protectedPaths?: ProtectedPath[];
  minimal?: boolean;
  unrestricted?: boolean;
  networkEnabled?: boolean;
  unixSockets?: { path: string; decision: "allow" | "deny" }[];
  cwd?: string;
  profile?: string;
  environment?: Record<string, string>;
}

export function makePolicy(parts: PolicyParts): ResolvedPolicy {
  return {
    schemaVersion: 1,
    profile: parts.profile ?? "test-profile",
    unrestricted: parts.unrestricted ?? false,
    platform: "linux",
    cwd: parts.cwd ?? "/",
    home: "/root",
    workspaceRoots: [],
    filesystem: {
      rules: parts.rules,
      denyGlobs: parts.denyGlobs ?? [],
      globScanMaxDepth: null,
      caseSensitive: true,
      protectedPaths: parts.protectedPaths ?? [],
      minimal: parts.minimal ?? false,
    },
    network: {
      enabled: parts.networkEnabled ?? false,
      mode: "limited",
      allowLocalBinding: false,
      enableSocks5: false,
      enableSocks5Udp: false,
      proxyUrl: "http://127.0.0.1:0",
      socksUrl: "socks5://127.0.0.1:0",
      allowUpstreamProxy: false,
      domains: [],
      unixSockets: (parts.unixSockets ?? []).map((s) => ({ ...s, origin: TEST_ORIGIN })),
    },
    environment: parts.environment ?? { PATH: "/usr/bin:/bin" },
    sources: { config: [], requirements: [] },
    warnings: [],
  };
}

export function makeFacts(overrides: Partial<LinuxHostFacts> = {}, paths: Record<string, PathFact> = {}): LinuxHostFacts {
  return {
    bwrap: { path: "/usr/bin/bwrap", version: "0.8.0" },
    userNamespaces: true,
    landlockAbi: 7,
    seccomp: true,
    execHelper: "/opt/cordon/cordon-exec",
    uid: 1000,
    runtimeDir: "/run/user/1000/cordon",
    paths,
    canonical: {},
    globMatches: [],
    commandPath: null,
    ...overrides,
  };
}

export const DIR: PathFact = { kind: "directory", nlink: 1 };
export const FILE: PathFact = { kind: "file", nlink: 1 };
export const MISSING: PathFact = { kind: "missing", nlink: 0 };
export const SYMLINK: PathFact = { kind: "symlink", nlink: 1 };
