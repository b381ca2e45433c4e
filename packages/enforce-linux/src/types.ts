// Types shared by the Linux planner, the host-facts gatherer and the launcher.
import type { ExecSpec } from "./exec-spec.js";
import type { LinuxNetworkPlan, ProxyEndpoint } from "./network/network-plan.js";

/** What `lstat` (and `realpath`) said about one host path when the plan was made. */
export interface PathFact {
  readonly kind: "directory" | "file" | "symlink" | "other" | "missing";
  /** Hard-link count (files only; 1 when unknown). */
  readonly nlink: number;
}

/** Options for the seccomp program the helper installs (mirrors the native addon's SeccompOptions). */
export interface SeccompRequest {
  readonly network: "none" | "proxy" | "full";
  readonly allowUnixSockets: boolean;
}

/** Everything the pure planner needs to know about the host. `plan()` gathers it; tests build it by hand. */
export interface LinuxHostFacts {
  /** Force an enforcement mode (tests and `cordon plan`); default: bwrap when usable, else landlock-only. */
  readonly mode?: "bwrap" | "landlock-only";
  /** Absolute path and version of a trusted bubblewrap, or null when none was found. */
  readonly bwrap: { readonly path: string; readonly version: string } | null;
  /** Creating a user namespace works for this user. */
  readonly userNamespaces: boolean;
  /** Landlock ABI version (0 = unavailable). */
  readonly landlockAbi: number;
  readonly seccomp: boolean;
  /** Absolute path of the built `cordon-exec` helper, or null when it is not built. */
  readonly execHelper: string | null;
  /** Effective uid of the launcher (0 = root). */
  readonly uid: number;
  /** Per-user cordon runtime dir (placeholder journals, the empty mask file). */
  readonly runtimeDir: string;
  /** lstat facts for every path the planner asks about (and their ancestors); a path not listed is assumed to be a directory. */
  readonly paths: Readonly<Record<string, PathFact>>;
  /** Canonical (realpath) form of paths whose canonical form differs (only listed when it differs). */
  readonly canonical: Readonly<Record<string, string>>;
  /** Concrete deny-glob matches found at launch, or the scan error (fail closed). */
  readonly globMatches: readonly { readonly path: string; readonly pattern: string; readonly canonical: string | null }[] | { readonly error: string };
  /** The native helper can confine unix sockets to an allowlist (ExecSpec.unixSockets); absent = it cannot. */
  readonly unixSocketMediation?: boolean;
  /** The command's executable as resolved on the host PATH (added as a read root under `:minimal`). */
  readonly commandPath: string | null;
}

/** One mount operation of the sandbox's view, in bwrap order. */
export type MountOp =
  | { readonly op: "ro-bind"; readonly src: string; readonly dest: string; readonly why: string }
  | { readonly op: "bind"; readonly src: string; readonly dest: string; readonly why: string }
  /** An empty tmpfs; `perms` octal; read-only ones get a `--remount-ro` after everything mounted inside them. */
  | { readonly op: "tmpfs"; readonly dest: string; readonly perms: string; readonly readOnly: boolean; readonly why: string }
  /** An unreadable empty file over a file (the runtime dir's mode-000 empty file, bound read-only). */
  | { readonly op: "mask-file"; readonly dest: string; readonly why: string }
  /** A directory created inside a tmpfs so something can be mounted beneath it. */
  | { readonly op: "dir"; readonly dest: string; readonly perms: string; readonly why: string }
  | { readonly op: "remount-ro"; readonly dest: string; readonly why: string }
  /** Recreates a host symlink (e.g. merged-/usr `/bin -> /usr/bin`) inside an empty synthetic parent. */
  | { readonly op: "symlink"; readonly target: string; readonly dest: string; readonly why: string }
  /** The egress proxy's unix socket for this run, bound read-only at `dest` (its host path is only known at launch). */
  | { readonly op: "proxy-socket"; readonly endpoint: ProxyEndpoint; readonly dest: string; readonly why: string }
  | { readonly op: "dev"; readonly dest: "/dev"; readonly why: string }
  | { readonly op: "proc"; readonly dest: "/proc"; readonly why: string };

/** A host path bwrap will create as a mount point (a placeholder), removed after the sandbox exits. */
export interface Placeholder {
  readonly path: string;
  readonly kind: "file" | "directory";
}

/** The Linux launch plan: JSON-serializable, so `cordon plan --json` can print it. */
export interface LinuxPlan {
  /** `direct`: :danger-full-access, the command runs as is (spec 3). */
  readonly mode: "direct" | "bwrap" | "landlock-only";
  readonly profile: string;
  /** The full argv to spawn (bwrap …, or the helper …, or the command itself). */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** The mount table in order (bwrap mode). */
  readonly mounts: readonly MountOp[];
  /** Host paths bwrap will create; journaled before launch and removed after exit (FS-05). */
  readonly placeholders: readonly Placeholder[];
  /** What the helper applies (seccompProgram is filled at launch from `seccomp`). */
  readonly execSpec: Omit<ExecSpec, "seccompProgram"> | null;
  readonly seccomp: SeccompRequest | null;
  /** fd number the helper reads the encoded ExecSpec from. */
  readonly specFd: number | null;
  /** The runtime dir whose empty file the masks bind. */
  readonly runtimeDir: string | null;
  /** Network enabled: the egress proxy and bridge this run needs (started by `launchPlan`); null = no network at all. */
  readonly network?: LinuxNetworkPlan | null;
  /** Honest notes: what is enforced how, and known limits. */
  readonly notes: readonly string[];
}
