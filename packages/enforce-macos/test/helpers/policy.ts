// Hand-built ResolvedPolicy objects for tests (the policy-model resolver is not needed here).
import type { Access, DenyGlob, NetworkPolicy, PathRule, ProtectedPath, ResolvedPolicy, UnixSocketRule } from "@cordon/policy-model";

const origin = { kind: "file", file: "/cfg/config.toml", line: 7 } as const;

export function rule(path: string, access: Access, entry = path): PathRule {
  return { path, access, origin, entry };
}

export function denyGlob(pattern: string, base: string, entry = pattern): DenyGlob {
  return { pattern, base, origin, entry };
}

export function protectedPath(path: string, options: Partial<ProtectedPath> = {}): ProtectedPath {
  return { path, reason: "metadata", name: ".git", state: "directory", preventCreation: false, ...options };
}

export function socket(path: string, decision: "allow" | "deny" = "allow"): UnixSocketRule {
  return { path, decision, origin };
}

export interface PolicyOptions {
  rules?: PathRule[];
  denyGlobs?: DenyGlob[];
  protectedPaths?: ProtectedPath[];
  minimal?: boolean;
  network?: Partial<NetworkPolicy>;
  unrestricted?: boolean;
  platform?: ResolvedPolicy["platform"];
}

export function makePolicy(options: PolicyOptions = {}): ResolvedPolicy {
  return {
    schemaVersion: 1,
    profile: "test",
    unrestricted: options.unrestricted ?? false,
    platform: options.platform ?? "macos",
    cwd: "/Users/u/repo",
    home: "/Users/u",
    workspaceRoots: ["/Users/u/repo"],
    filesystem: {
      rules: options.rules ?? [],
      denyGlobs: options.denyGlobs ?? [],
      globScanMaxDepth: null,
      caseSensitive: false,
      protectedPaths: options.protectedPaths ?? [],
      minimal: options.minimal ?? false,
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
      ...options.network,
    },
    environment: { PATH: "/usr/bin:/bin", CORDON_SANDBOX: "test" },
    sources: { config: [], requirements: [] },
    warnings: [],
  };
}

/** The `:workspace` shape: root readable, the repo writable, /tmp writable, `.git` protected. */
export function workspacePolicy(extra: PolicyOptions = {}): ResolvedPolicy {
  return makePolicy({
    rules: [rule("/", "read", ":root"), rule("/Users/u/repo", "write", ":workspace_roots"), rule("/tmp", "write", ":slash_tmp"), ...(extra.rules ?? [])],
    protectedPaths: [
      protectedPath("/Users/u/repo/.git", { root: "/Users/u/repo" }),
      protectedPath("/Users/u/repo/.cordon", { name: ".cordon", state: "missing", preventCreation: true, root: "/Users/u/repo" }),
      ...(extra.protectedPaths ?? []),
    ],
    ...(extra.denyGlobs ? { denyGlobs: extra.denyGlobs } : {}),
    ...(extra.network ? { network: extra.network } : {}),
    ...(extra.minimal !== undefined ? { minimal: extra.minimal } : {}),
  });
}

export const command = { argv: ["/bin/sh", "-c", "echo hi"], cwd: "/Users/u/repo", env: { PATH: "/usr/bin:/bin" } };
