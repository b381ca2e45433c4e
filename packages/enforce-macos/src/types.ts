// Public types of the macOS backend: host facts in, launch plan out.
import type { CommandSpec, ResolvedPolicy } from "@cordon/policy-model";

/** What planning needs to know about the host; `plan()` gathers it, tests pass it in. */
export interface MacosHostFacts {
  /**
   * Canonical (symlink-resolved) spelling of absolute paths: realpath, or for a missing path the
   * realpath of its nearest existing ancestor plus the rest. Unlisted paths use the stock macOS
   * mapping (`/tmp`, `/var`, `/etc` → `/private/…`).
   */
  readonly canonicalPaths?: Readonly<Record<string, string>>;
  /** Loopback ports of the running egress proxy. Without them a network-enabled profile lets no TCP out. */
  readonly proxyPorts?: readonly number[];
  /** Deny-glob matches that exist now; the directories holding them cannot be renamed. */
  readonly denyGlobMatches?: readonly string[];
  /** Tag attached to every denial of this run (letters, digits, `-`); `plan()` makes a fresh one. */
  readonly logTag?: string;
}

/** How the command will be started. JSON-serializable (printed by `cordon plan --json`). */
export interface MacosPlan {
  /** `sandbox-exec`, or `unsandboxed` for `:danger-full-access`. */
  readonly mode: "sandbox-exec" | "unsandboxed";
  /** The full argv: `/usr/bin/sandbox-exec -p PROFILE -D NAME=value … -- CMD ARGS…`. */
  readonly argv: readonly string[];
  /** The generated SBPL (null when unsandboxed). */
  readonly profile: string | null;
  /** The -D parameters, NAME → path. */
  readonly params: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** The command's environment (proxy variables included once proxy ports are bound). */
  readonly env: Readonly<Record<string, string>>;
  readonly network: {
    readonly enabled: boolean;
    /** Loopback ports the sandbox may connect to. */
    readonly proxyPorts: readonly number[];
    /** True while the network is enabled but no proxy port is bound yet (see bindProxyPorts). */
    readonly awaitingProxy: boolean;
  };
  /** The tag carried by this run's denials in the unified log. */
  readonly logTag: string;
  /** What this backend cannot enforce or observe for this plan (said, not hidden). */
  readonly limits: readonly string[];
  /** Planning inputs, kept so the profile can be regenerated once proxy ports are known. */
  readonly inputs: { readonly policy: ResolvedPolicy; readonly command: CommandSpec; readonly facts: MacosHostFacts };
}
