// ExecSpec: what the native exec helper (`cordon-exec`) applies inside the sandbox before execve.
// The TypeScript planner builds it; native/exec_spec.* parses the encoded form. Keep both in step.

/** Landlock rights for one path-beneath rule. `read` = read files, list dirs, execute. `write` = read + every write right. */
export type LandlockRights = "read" | "write";

export interface LandlockRule {
  readonly path: string;
  readonly rights: LandlockRights;
}

export interface ExecSpec {
  /** Landlock ruleset to apply (null = none; only allowed when the plan does not rely on it). */
  readonly landlock: {
    /** Refuse to run (exit 125 with a message) when the kernel's Landlock ABI is lower. */
    readonly minAbi: number;
    readonly rules: readonly LandlockRule[];
    /** TCP ports `connect` may reach (ABI >= 4); null = do not restrict TCP. [] = no TCP at all. */
    readonly tcpConnectPorts: readonly number[] | null;
    /** Deny binding TCP ports (ABI >= 4). */
    readonly denyTcpBind: boolean;
    /** ABI >= 6 scopes: no signals to processes outside the domain; no abstract unix sockets outside it. */
    readonly scopeSignals: boolean;
    readonly scopeAbstractUnix: boolean;
    /** ABI >= 7: ask the kernel to audit-log denials (for --log-denials). */
    readonly logDenials: boolean;
  } | null;
  /** Raw seccomp-bpf program (struct sock_filter[]) built by the addon; applied last, after Landlock. */
  readonly seccompProgram: Uint8Array | null;
  /**
   * Unix socket mediation (policy.md section 5: no unix socket is reachable unless listed `allow`).
   * When present, cordon-exec forks a supervisor that stays the command's parent, and every connect(2)
   * of the command and its descendants is decided by it: a pathname unix socket is reached only when its
   * canonical path (symlinks resolved, in the sandbox's view) is in `allow`; abstract addresses never;
   * other families are connected as asked, with `landlock.tcpConnectPorts` enforced by the supervisor.
   * Needs `seccompProgram` (which must deny io_uring and unix datagram sockets, as the addon's programs
   * do; build it with `allowUnixSockets: true` so the command may create AF_UNIX stream/seqpacket
   * sockets) and `supportsUnixSocketMediation()`. `allow` holds absolute canonical paths as seen inside
   * the sandbox (no `.`/`..` components, no `//`, no trailing `/`), without duplicates, at most 1024;
   * it may be empty. Absent or null = off.
   * Process model: the helper's own pid stays the supervisor (the command is its child); it leads the
   * session/process group when `newSession`, leaves group signals to reach the command directly, and
   * exits with the command's code or signal. If it dies, the command is killed and the remaining
   * processes' connect() calls fail with ENOSYS. The supervisor needs /proc mounted in the sandbox.
   */
  readonly unixSockets?: { readonly allow: readonly string[] } | null;
  /**
   * Install the seccomp program with SECCOMP_FILTER_FLAG_LOG, so the kernel audit-logs its errno denials
   * (for --log-denials; needs seccompProgram). Absent = false.
   */
  readonly seccompLog?: boolean;
  /** File descriptors, besides 0-2, that survive into the command. Every other fd is closed. */
  readonly keepFds: readonly number[];
  /** Start a new session (setsid) so the command has no controlling terminal (TIOCSTI defence). */
  readonly newSession: boolean;
  /** Join a fresh anonymous session keyring (hides the caller's keys). */
  readonly newKeyring: boolean;
  /**
   * The command's complete environment. When present, the helper execve's the command with exactly
   * these variables (and searches the command in this PATH), so the launcher can start the helper
   * itself with an empty environment (no LD_PRELOAD & co. reach the code that applies the sandbox,
   * ENV-05). Absent = the command inherits the helper's own environment (not recommended).
   */
  readonly env?: Readonly<Record<string, string>>;
}
