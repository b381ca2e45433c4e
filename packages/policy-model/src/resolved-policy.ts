// ResolvedPolicy: the one JSON-serializable value that crosses from policy-model to every backend.
// Backends enforce exactly this (or refuse); they never see TOML.
import type { Diagnostic } from "./errors.js";
import type { Origin } from "./origin.js";

export type Access = "read" | "write" | "deny";
export type Platform = "linux" | "macos" | "windows";
export type SymbolicRoot = ":root" | ":workspace_roots" | ":tmpdir" | ":slash_tmp" | ":minimal";

/** One concrete filesystem rule: an absolute, normalized root (no trailing slash except "/"). */
export interface PathRule {
  readonly path: string;
  readonly access: Access;
  readonly origin: Origin;
  /** The key as the user wrote it, e.g. `:workspace_roots` + ` docs`, `~/code`, `/abs/**` (before stripping). */
  readonly entry: string;
  /** Set when the rule came from a symbolic root (`:workspace_roots` etc.). */
  readonly symbolic?: SymbolicRoot;
}

/** A deny glob: denies read and write of every match, whatever else covers it. */
export interface DenyGlob {
  /** Absolute glob with `/` separators, e.g. `/home/u/repo/**\/*.env`. */
  readonly pattern: string;
  /** The literal directory prefix (never `/`) that a scan starts from. */
  readonly base: string;
  readonly origin: Origin;
  readonly entry: string;
}

/**
 * A path that stays read-only (and, when missing, uncreatable) although a writable rule covers it:
 * protected metadata under writable roots (spec 4.4) and cordon's own policy files and dirs.
 */
export interface ProtectedPath {
  readonly path: string;
  readonly reason: "metadata" | "gitdir-target" | "policy";
  /** `.git`, `.cordon`, `.codex`, `.agents` for metadata; for policy: `config`, `requirements`, `CORDON_HOME`, `CORDON_SYSTEM_DIR`. */
  readonly name: string;
  /** The writable root whose protection this is (metadata and gitdir targets). */
  readonly root?: string;
  readonly state: "directory" | "file" | "missing";
  /** True when the path is missing and must not become creatable inside the sandbox. */
  readonly preventCreation: boolean;
  /**
   * Set when the entry itself is a symbolic link (lstat): the link text as read. `state` then
   * describes what the link resolves to ("missing" when dangling). Binding the path follows the
   * link and leaves the name replaceable, so a backend must refuse or protect the link itself.
   */
  readonly symlinkTarget?: string;
}

export interface FilesystemPolicy {
  readonly rules: readonly PathRule[];
  readonly denyGlobs: readonly DenyGlob[];
  /** `glob_scan_max_depth`; null = unbounded. Depth 1 = entries directly in the glob's base. */
  readonly globScanMaxDepth: number | null;
  /** Glob and path comparison case sensitivity (false on macOS and Windows). */
  readonly caseSensitive: boolean;
  readonly protectedPaths: readonly ProtectedPath[];
  /** `:minimal` was granted: the backend must add what it needs to start the command. */
  readonly minimal: boolean;
}

export interface DomainRule {
  /** Normalized pattern: `example.com`, `*.example.com`, `**.example.com`, `*`, or an IP literal. */
  readonly pattern: string;
  readonly decision: "allow" | "deny";
  readonly origin: Origin;
}

export interface UnixSocketRule {
  readonly path: string;
  readonly decision: "allow" | "deny";
  readonly origin: Origin;
}

export interface NetworkPolicy {
  readonly enabled: boolean;
  readonly mode: "limited" | "full";
  readonly allowLocalBinding: boolean;
  readonly enableSocks5: boolean;
  readonly enableSocks5Udp: boolean;
  readonly proxyUrl: string;
  readonly socksUrl: string;
  readonly allowUpstreamProxy: boolean;
  readonly domains: readonly DomainRule[];
  /** Final per-path decisions after merging; only `allow` entries are reachable. */
  readonly unixSockets: readonly UnixSocketRule[];
}

export interface ResolvedPolicy {
  readonly schemaVersion: 1;
  /** The selected profile's name (`:workspace`, `my-profile`, …). */
  readonly profile: string;
  /** `:danger-full-access`: no sandbox at all. */
  readonly unrestricted: boolean;
  readonly platform: Platform;
  /** Working directory of the command (absolute). */
  readonly cwd: string;
  readonly home: string;
  /** Every workspace root: the project root, each --add-dir, the profile's enabled workspace_roots. */
  readonly workspaceRoots: readonly string[];
  readonly filesystem: FilesystemPolicy;
  readonly network: NetworkPolicy;
  /** Exactly the variables the command starts with, before run-time proxy variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** Files that were loaded, lowest precedence first. */
  readonly sources: { readonly config: readonly string[]; readonly requirements: readonly string[] };
  readonly warnings: readonly Diagnostic[];
}

/** What `decidePath` reports for one path (the `explain` row). */
export interface PathDecision {
  readonly path: string;
  readonly read: boolean;
  readonly write: boolean;
  /** Human-readable: the entry that decided, with its origin. */
  readonly rule: string;
  readonly winner?: PathRule;
  readonly deniedByGlob?: DenyGlob;
  readonly protectedBy?: ProtectedPath;
}

export type HostDecisionReason =
  | "allowed"
  | "network_disabled"
  | "denied" // a deny pattern matched
  | "not_allowed" // limited mode and no allow pattern matched
  | "not_allowed_local" // a local/private literal not allowed by an exact pattern
  | "invalid_host";

/** What `decideHost` reports for one host (the `explain --domain` row). */
export interface HostDecision {
  readonly host: string;
  readonly port: number | null;
  readonly decision: "allow" | "deny";
  readonly reason: HostDecisionReason;
  readonly rule: string;
  readonly matched?: DomainRule;
}
