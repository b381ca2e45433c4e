// Loads the N-API addon (Landlock/seccomp probing, BPF program builder) and locates the `cordon-exec` helper.
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** Which sockets the seccomp filter lets the command create (see native/linux/seccomp_program.cc). */
export interface SeccompOptions {
  /**
   * "none": socket() only for AF_UNIX (and only when allowUnixSockets); socketpair only AF_UNIX SOCK_STREAM.
   * "proxy": also AF_INET/AF_INET6 socket() (the netns only has loopback to the bridge).
   * "full": also AF_NETLINK with protocol NETLINK_ROUTE (address/interface queries); every other
   *         family (AF_PACKET, AF_VSOCK, AF_ALG, AF_BLUETOOTH, …) stays denied.
   */
  readonly network: "none" | "proxy" | "full";
  /**
   * Allow socket(AF_UNIX) and AF_UNIX socketpairs of type SOCK_STREAM and SOCK_SEQPACKET (never datagram
   * sockets, which could sendto() any pathname socket, PROC-12). SAFE ONLY TOGETHER WITH MEDIATION
   * (`ExecSpec.unixSockets`, see supportsUnixSocketMediation()): the filter cannot see connect()'s address,
   * and neither mounts nor Landlock (ABI <= 7) stop a connect() to every pathname socket in the sandbox's
   * view — the supervisor does. false: socket(AF_UNIX) is denied and only SOCK_STREAM socketpairs exist.
   */
  readonly allowUnixSockets: boolean;
  /** Target architecture; default: the running one. */
  readonly arch?: "x86_64" | "aarch64";
}

/** The addon's functions. */
export interface NativeBinding {
  /** Landlock ABI version of the running kernel (landlock_create_ruleset VERSION); 0 = unavailable. */
  landlockAbi(): number;
  /** True when seccomp filters (SECCOMP_SET_MODE_FILTER with KILL_PROCESS and ERRNO actions) are available. */
  seccompAvailable(): boolean;
  /** Raw seccomp-bpf program: struct sock_filter[] in native byte order, ready for ExecSpec.seccompProgram. */
  buildSeccompProgram(options: SeccompOptions): Uint8Array;
  /** True when this kernel has what unix socket mediation needs (see supportsUnixSocketMediation). */
  unixSocketMediationAvailable(): boolean;
}

/** Thrown when the native parts are missing or unusable on this machine. */
export class NativeUnavailableError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = "NativeUnavailableError";
  }
}

const ADDON_FILE = "cordon_native.node";
const HELPER_FILE = "cordon-exec";

/** Package root: this file lives in src/ (tests) or dist/ (built). */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

let muslCache: boolean | undefined;

/**
 * True when the running Node is linked against musl. Cheap and memoized: the ELF interpreter named in
 * the first bytes of the node binary says it (ld-musl-* vs ld-linux-*); the loader files on disk would
 * not (musl and glibc compat loaders coexist). process.report (10-20 ms) is only the fallback.
 */
export function isMuslRuntime(): boolean {
  if (muslCache !== undefined) return muslCache;
  const interp = elfInterpreterOf(process.execPath);
  if (interp !== undefined) return (muslCache = interp.includes("ld-musl-"));
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return (muslCache = !report?.header?.glibcVersionRuntime);
}

/** The PT_INTERP path near the start of an ELF executable, or undefined (static, unreadable, not found). */
function elfInterpreterOf(file: string): string | undefined {
  try {
    const fd = openSync(file, "r");
    try {
      const head = Buffer.alloc(4096);
      const n = readSync(fd, head, 0, head.length, 0);
      const m = /\/lib[^\0]*\/ld-(?:musl|linux)-[^\0]+\.so\.\d/.exec(head.subarray(0, n).toString("latin1"));
      return m?.[0];
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

const LOCAL_BUILD_DIR = path.join(packageRoot, "build", "Release");

/**
 * Directories searched, in order: a local build, then the shipped prebuilds for this arch and libc
 * (`prebuilds/linux-<arch>-musl/` on musl, `prebuilds/linux-<arch>/` on glibc; the names
 * tools/collect-prebuilds.mjs uses). There is deliberately no environment override.
 */
export function nativeArtifactDirs(musl: boolean = isMuslRuntime()): string[] {
  const target = `linux-${process.arch}${musl ? "-musl" : ""}`;
  return [LOCAL_BUILD_DIR, path.join(packageRoot, "prebuilds", target)];
}

function findArtifact(file: string): string | undefined {
  // A local build needs no libc detection at all.
  const local = path.join(LOCAL_BUILD_DIR, file);
  if (existsSync(local)) return local;
  for (const dir of nativeArtifactDirs()) {
    const candidate = path.join(dir, file);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function missing(file: string): NativeUnavailableError {
  return new NativeUnavailableError(
    `cordon: native component ${file} not found (looked in ${nativeArtifactDirs().join(", ")}); ` +
      "build it with `npm run build:native -w @cordon/enforce-linux`",
  );
}

const NETWORK_MODES = new Set(["none", "proxy", "full"]);
const ARCHES = new Set(["x86_64", "aarch64"]);

function checkSeccompOptions(options: SeccompOptions): void {
  if (typeof options !== "object" || options === null) throw new TypeError("buildSeccompProgram: options must be an object");
  if (!NETWORK_MODES.has(options.network)) throw new TypeError(`buildSeccompProgram: network must be "none", "proxy" or "full"`);
  if (typeof options.allowUnixSockets !== "boolean") throw new TypeError("buildSeccompProgram: allowUnixSockets must be a boolean");
  if (options.arch !== undefined && !ARCHES.has(options.arch)) throw new TypeError(`buildSeccompProgram: arch must be "x86_64" or "aarch64"`);
}

interface RawBinding {
  landlockAbi(): number;
  seccompAvailable(): boolean;
  buildSeccompProgram(options: { network: string; allowUnixSockets: boolean; arch: string }): Uint8Array;
  unixSocketMediationAvailable?: () => boolean;
}

function runningArch(): "x86_64" | "aarch64" {
  if (process.arch === "x64") return "x86_64";
  if (process.arch === "arm64") return "aarch64";
  throw new NativeUnavailableError(`cordon: seccomp programs are built for x86_64 and aarch64 only, not ${process.arch}`);
}

let cached: NativeBinding | undefined;

/**
 * Loads the addon once (Linux only).
 * @throws NativeUnavailableError when not on Linux or when the addon has not been built.
 */
export function loadNative(): NativeBinding {
  if (cached) return cached;
  if (process.platform !== "linux") throw new NativeUnavailableError(`cordon: the Linux native addon cannot run on ${process.platform}`);
  const file = findArtifact(ADDON_FILE);
  if (file === undefined) throw missing(ADDON_FILE);
  let raw: RawBinding;
  try {
    raw = createRequire(import.meta.url)(file) as RawBinding;
  } catch (error) {
    throw new NativeUnavailableError(`cordon: cannot load ${file}: ${(error as Error).message}`, { cause: error });
  }
  cached = {
    landlockAbi: () => raw.landlockAbi(),
    seccompAvailable: () => raw.seccompAvailable(),
    buildSeccompProgram: (options) => {
      checkSeccompOptions(options);
      return raw.buildSeccompProgram({ network: options.network, allowUnixSockets: options.allowUnixSockets, arch: options.arch ?? runningArch() });
    },
    // An addon built before mediation existed has no probe: it cannot mediate.
    unixSocketMediationAvailable: () => typeof raw.unixSocketMediationAvailable === "function" && raw.unixSocketMediationAvailable() === true,
  };
  return cached;
}

/**
 * True when this build and this kernel can mediate unix sockets (ExecSpec.unixSockets): seccomp user
 * notifications, pidfd_open/pidfd_getfd (Linux >= 5.6) and ptrace-mode access from the supervisor to its
 * descendants (false under Yama ptrace_scope >= 2). Never throws: false when the addon is missing.
 * Without it, a policy that allows a unix socket cannot be enforced and must be refused.
 */
export function supportsUnixSocketMediation(): boolean {
  try {
    return loadNative().unixSocketMediationAvailable();
  } catch (error) {
    if (error instanceof NativeUnavailableError) return false;
    throw error;
  }
}

/**
 * Absolute path of the built `cordon-exec` helper.
 * @throws NativeUnavailableError when it has not been built.
 */
export function execHelperPath(): string {
  const file = findArtifact(HELPER_FILE);
  if (file === undefined) throw missing(HELPER_FILE);
  return file;
}

/** A failed kernel call of the audit binding: errno and "<step>: <strerror>". */
export interface AuditCallError {
  readonly ok: false;
  readonly errno: number;
  readonly message: string;
}

/** What AUDIT_GET reports (needs CAP_AUDIT_CONTROL in the initial pid namespace). */
export interface AuditStatus {
  readonly ok: true;
  /** 0 off, 1 on, 2 on and locked. Landlock logs nothing while it is 0; seccomp logs regardless. */
  readonly enabled: number;
  /** Records the kernel dropped since boot (backlog or rate limit). */
  readonly lost: number;
  readonly backlogLimit: number;
  readonly rateLimit: number;
  readonly auditdPid: number;
}

/** What a collector gathered (see native/linux/audit_collector.h). */
export interface CollectedAudit {
  /** Seccomp (1326), Landlock access (1423) and Landlock domain (1424) records, in arrival order. */
  readonly records: readonly { readonly type: number; readonly text: string }[];
  /** Fork events as (parentTgid, childPid, childTgid) triples, host pids. */
  readonly forks: Int32Array;
  readonly auditOverflows: number;
  readonly forkOverflows: number;
  readonly recordsOverCap: number;
  /** The kernel refused the process-events subscription. */
  readonly procEventsError: AuditCallError | null;
}

/** A running collector (a native thread reading the audit multicast group and fork events). */
export interface AuditCollectorHandle {
  /** Queues a marker AUDIT_SECCOMP record from a short-lived child; returns its pid or -errno. */
  emitMarker(logErrno: boolean): number;
  sawSeccompFrom(pid: number): boolean;
  /** Drains what is queued, stops the thread, closes the sockets. */
  stop(): CollectedAudit;
}

/** The addon's `audit` export (native/linux/audit_addon.cc), used by `--log-denials`. */
export interface AuditBinding {
  status(): AuditStatus | AuditCallError;
  openCollector(): { readonly ok: true; readonly collector: AuditCollectorHandle } | AuditCallError;
  /** Names of the syscalls the seccomp filter refers to, by number, for `arch`. */
  syscallNames(arch: "x86_64" | "aarch64"): Readonly<Record<number, string>>;
}

/**
 * The addon's audit functions (Linux only).
 * @throws NativeUnavailableError when the addon is missing or was built without them.
 */
export function loadAuditBinding(): AuditBinding {
  loadNative();
  const file = findArtifact(ADDON_FILE)!;
  const audit = (createRequire(import.meta.url)(file) as { audit?: AuditBinding }).audit;
  if (!audit) throw new NativeUnavailableError(`cordon: ${file} has no audit functions; rebuild it with \`npm run build:native -w @cordon/enforce-linux\``);
  return audit;
}
