// Hand-built ResolvedPolicy objects for planner tests (Windows paths in policy-model's `C:/x` form).
import type { Access, CommandSpec, DenyGlob, NetworkPolicy, PathRule, ProtectedPath, ResolvedPolicy } from "@cordon/policy-model";

export const ORIGIN = { kind: "file", file: "C:/Users/user/.cordon/config.toml", line: 7 } as const;

export function rule(path: string, access: Access, entry = path, extra: Partial<PathRule> = {}): PathRule {
  return { path, access, origin: ORIGIN, entry, ...extra };
}

export function glob(pattern: string, base: string, entry = pattern): DenyGlob {
  return { pattern, base, origin: ORIGIN, entry };
}

export function protectedPath(path: string, name: string, extra: Partial<ProtectedPath> = {}): ProtectedPath {
  return { path, name, reason: "metadata", state: "directory", preventCreation: true, ...extra };
}

export const NETWORK_OFF: NetworkPolicy = {
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
};

/** `:workspace` on C: with the repo at C:/Users/user/repo, plus extra rules. */
export function policy(options: {
  rules?: PathRule[];
  globs?: DenyGlob[];
  protectedPaths?: ProtectedPath[];
  network?: Partial<NetworkPolicy>;
  unrestricted?: boolean;
  noRoot?: boolean;
} = {}): ResolvedPolicy {
  const base: PathRule[] = options.noRoot ? [] : [rule("C:/", "read", ":root", { symbolic: ":root" })];
  return {
    schemaVersion: 1,
    profile: "test",
    unrestricted: options.unrestricted ?? false,
    platform: "windows",
    cwd: "C:/Users/user/repo",
    home: "C:/Users/user",
    workspaceRoots: ["C:/Users/user/repo"],
    filesystem: {
      rules: [...base, ...(options.rules ?? [rule("C:/Users/user/repo", "write", ":workspace_roots", { symbolic: ":workspace_roots" })])],
      denyGlobs: options.globs ?? [],
      globScanMaxDepth: null,
      caseSensitive: false,
      protectedPaths: options.protectedPaths ?? [],
      minimal: false,
    },
    network: { ...NETWORK_OFF, ...options.network },
    environment: { PATH: "C:\\Windows\\System32" },
    sources: { config: [], requirements: [] },
    warnings: [],
  };
}

export const COMMAND: CommandSpec = { argv: ["cmd.exe", "/c", "echo hi"], cwd: "C:\\Users\\user\\repo", env: { PATH: "C:\\Windows\\System32", CORDON_SANDBOX: "test" } };
