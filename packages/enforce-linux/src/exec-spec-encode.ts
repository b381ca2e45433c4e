// Serializes an ExecSpec into the compact binary form that `cordon-exec --spec-fd N` reads
// (parsed by native/linux/exec_spec.cc; keep both in step — the layout is documented below).
import type { ExecSpec } from "./exec-spec.js";

/*
 * Wire format, version 1. Every integer is an unsigned 32-bit little-endian value ("u32"); a
 * "string" is a u32 byte length followed by that many UTF-8 bytes (no NUL anywhere). The reader
 * rejects unknown flag bits, out-of-range values and trailing bytes.
 *
 *   "CDX1"                      magic (4 bytes)
 *   u32 flags                   bit0 newSession, bit1 newKeyring, bit2 landlock present,
 *                               bit3 seccomp present, bit4 env present,
 *                               bit5 seccompLog (only with bit3: install with SECCOMP_FILTER_FLAG_LOG),
 *                               bit6 unixSockets present (only with bit3)
 *   [landlock present]
 *     u32 minAbi                1..2^31-1
 *     u32 landlockFlags         bit0 tcpConnectPorts present, bit1 denyTcpBind, bit2 scopeSignals,
 *                               bit3 scopeAbstractUnix, bit4 logDenials
 *     u32 ruleCount             0..65536
 *     ruleCount × { u32 rights (1 = read, 2 = write), string path (absolute, 1..4095 bytes) }
 *     [tcpConnectPorts present]
 *       u32 portCount           0..65535, then portCount × u32 port (1..65535, strictly increasing)
 *   [seccomp present]
 *     u32 byteLength            multiple of 8, 8..32768 (struct sock_filter[], BPF_MAXINSNS 4096)
 *     byteLength bytes
 *   [unixSockets present]
 *     u32 allowCount            0..1024, then allowCount × string path (absolute canonical, 1..4095
 *                               bytes, no duplicates)
 *   u32 keepFdCount             0..1024, then keepFdCount × u32 fd (3..2^20, strictly increasing)
 *   [env present]
 *     u32 envCount              0..65536, then envCount × string "NAME=value"
 *   end of input
 */

/** Magic bytes that start every encoded spec ("CDX1"). */
export const EXEC_SPEC_MAGIC = "CDX1";

/** Limits shared with the native parser (native/linux/exec_spec.h). */
export const EXEC_SPEC_LIMITS = {
  maxRules: 65_536,
  maxPathBytes: 4_095,
  maxPorts: 65_535,
  maxSeccompBytes: 4_096 * 8,
  maxKeepFds: 1_024,
  maxFd: 1 << 20,
  maxEnv: 65_536,
  maxEnvEntryBytes: 1 << 20,
  maxUnixSockets: 1_024,
} as const;

const FLAG_NEW_SESSION = 1 << 0;
const FLAG_NEW_KEYRING = 1 << 1;
const FLAG_LANDLOCK = 1 << 2;
const FLAG_SECCOMP = 1 << 3;
const FLAG_ENV = 1 << 4;
const FLAG_SECCOMP_LOG = 1 << 5;
const FLAG_UNIX_SOCKETS = 1 << 6;

const LL_TCP_CONNECT = 1 << 0;
const LL_DENY_TCP_BIND = 1 << 1;
const LL_SCOPE_SIGNALS = 1 << 2;
const LL_SCOPE_ABSTRACT_UNIX = 1 << 3;
const LL_LOG_DENIALS = 1 << 4;

const RIGHTS_CODE = { read: 1, write: 2 } as const;

/** Thrown when an ExecSpec cannot be encoded (a planner bug: the spec would be rejected by the helper). */
export class ExecSpecEncodeError extends Error {
  constructor(detail: string) {
    super(`invalid exec spec: ${detail}`);
    this.name = "ExecSpecEncodeError";
  }
}

/** Growable little-endian byte writer. */
class ByteWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  bytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  string(value: Uint8Array): void {
    this.u32(value.length);
    this.bytes(value);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

const utf8 = new TextEncoder();

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function encodePath(path: string, index: number): Uint8Array {
  if (typeof path !== "string" || !path.startsWith("/")) throw new ExecSpecEncodeError(`landlock.rules[${index}].path must be an absolute path`);
  if (path.includes("\0")) throw new ExecSpecEncodeError(`landlock.rules[${index}].path contains a NUL byte`);
  const bytes = utf8.encode(path);
  if (bytes.length > EXEC_SPEC_LIMITS.maxPathBytes) throw new ExecSpecEncodeError(`landlock.rules[${index}].path is longer than ${EXEC_SPEC_LIMITS.maxPathBytes} bytes`);
  return bytes;
}

/** True for "/a/b": absolute, no empty, "." or ".." component, no trailing "/" (and not "/" itself). */
export function isCanonicalSocketPath(path: string): boolean {
  if (!path.startsWith("/") || path.length < 2 || path.endsWith("/")) return false;
  return path.slice(1).split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

function encodeUnixSockets(writer: ByteWriter, allow: readonly string[]): void {
  if (!Array.isArray(allow)) throw new ExecSpecEncodeError("unixSockets.allow must be an array of paths");
  if (allow.length > EXEC_SPEC_LIMITS.maxUnixSockets) throw new ExecSpecEncodeError(`unixSockets.allow has more than ${EXEC_SPEC_LIMITS.maxUnixSockets} entries`);
  if (new Set(allow).size !== allow.length) throw new ExecSpecEncodeError("unixSockets.allow contains duplicates");
  writer.u32(allow.length);
  allow.forEach((path, i) => {
    if (typeof path !== "string" || !isCanonicalSocketPath(path)) {
      throw new ExecSpecEncodeError(`unixSockets.allow[${i}] must be an absolute canonical path (no "." or ".." components, no "//", no trailing "/"), got ${JSON.stringify(path)}`);
    }
    if (path.includes("\0")) throw new ExecSpecEncodeError(`unixSockets.allow[${i}] contains a NUL byte`);
    const bytes = utf8.encode(path);
    if (bytes.length > EXEC_SPEC_LIMITS.maxPathBytes) throw new ExecSpecEncodeError(`unixSockets.allow[${i}] is longer than ${EXEC_SPEC_LIMITS.maxPathBytes} bytes`);
    writer.string(bytes);
  });
}

function sortedUnique(values: readonly number[], what: string, min: number, max: number): number[] {
  for (const [i, v] of values.entries()) {
    if (!isInteger(v, min, max)) throw new ExecSpecEncodeError(`${what}[${i}] must be an integer in ${min}..${max}`);
  }
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length !== values.length) throw new ExecSpecEncodeError(`${what} contains duplicates`);
  return sorted;
}

function encodeLandlock(writer: ByteWriter, landlock: NonNullable<ExecSpec["landlock"]>): void {
  if (!isInteger(landlock.minAbi, 1, 0x7fff_ffff)) throw new ExecSpecEncodeError("landlock.minAbi must be an integer >= 1");
  if (landlock.rules.length > EXEC_SPEC_LIMITS.maxRules) throw new ExecSpecEncodeError(`landlock.rules has more than ${EXEC_SPEC_LIMITS.maxRules} entries`);
  let flags = 0;
  if (landlock.tcpConnectPorts !== null) flags |= LL_TCP_CONNECT;
  if (landlock.denyTcpBind) flags |= LL_DENY_TCP_BIND;
  if (landlock.scopeSignals) flags |= LL_SCOPE_SIGNALS;
  if (landlock.scopeAbstractUnix) flags |= LL_SCOPE_ABSTRACT_UNIX;
  if (landlock.logDenials) flags |= LL_LOG_DENIALS;
  writer.u32(landlock.minAbi);
  writer.u32(flags);
  writer.u32(landlock.rules.length);
  landlock.rules.forEach((rule, i) => {
    const code = RIGHTS_CODE[rule.rights];
    if (code === undefined) throw new ExecSpecEncodeError(`landlock.rules[${i}].rights must be "read" or "write"`);
    writer.u32(code);
    writer.string(encodePath(rule.path, i));
  });
  if (landlock.tcpConnectPorts !== null) {
    const ports = sortedUnique(landlock.tcpConnectPorts, "landlock.tcpConnectPorts", 1, 65_535);
    writer.u32(ports.length);
    for (const port of ports) writer.u32(port);
  }
}

function encodeEnv(writer: ByteWriter, env: Readonly<Record<string, string>>): void {
  const entries = Object.entries(env);
  if (entries.length > EXEC_SPEC_LIMITS.maxEnv) throw new ExecSpecEncodeError(`env has more than ${EXEC_SPEC_LIMITS.maxEnv} entries`);
  writer.u32(entries.length);
  for (const [name, value] of entries) {
    if (name.length === 0 || name.includes("=") || name.includes("\0")) throw new ExecSpecEncodeError(`env name ${JSON.stringify(name)} is empty or contains "=" or NUL`);
    if (typeof value !== "string" || value.includes("\0")) throw new ExecSpecEncodeError(`env ${name} must be a string without NUL bytes`);
    const bytes = utf8.encode(`${name}=${value}`);
    if (bytes.length > EXEC_SPEC_LIMITS.maxEnvEntryBytes) throw new ExecSpecEncodeError(`env ${name} is longer than ${EXEC_SPEC_LIMITS.maxEnvEntryBytes} bytes`);
    writer.string(bytes);
  }
}

/**
 * Encodes `spec` for `cordon-exec --spec-fd N` (write the bytes to a pipe and close it).
 * @throws ExecSpecEncodeError when the spec holds a value the helper would reject.
 */
export function encodeExecSpec(spec: ExecSpec): Uint8Array {
  const writer = new ByteWriter();
  writer.bytes(utf8.encode(EXEC_SPEC_MAGIC));
  let flags = 0;
  if (spec.newSession) flags |= FLAG_NEW_SESSION;
  if (spec.newKeyring) flags |= FLAG_NEW_KEYRING;
  if (spec.landlock !== null) flags |= FLAG_LANDLOCK;
  if (spec.seccompProgram !== null) flags |= FLAG_SECCOMP;
  if (spec.env !== undefined) flags |= FLAG_ENV;
  if (spec.seccompLog === true) {
    if (spec.seccompProgram === null) throw new ExecSpecEncodeError("seccompLog needs a seccompProgram");
    flags |= FLAG_SECCOMP_LOG;
  }
  const unixSockets = spec.unixSockets ?? null;
  if (unixSockets !== null) {
    // Without the main filter, io_uring and datagram sockets would reach any socket past the supervisor.
    if (spec.seccompProgram === null) throw new ExecSpecEncodeError("unixSockets needs a seccompProgram (mediation without the main filter is not sound)");
    flags |= FLAG_UNIX_SOCKETS;
  }
  writer.u32(flags);
  if (spec.landlock !== null) encodeLandlock(writer, spec.landlock);
  if (spec.seccompProgram !== null) {
    const program = spec.seccompProgram;
    if (program.length === 0 || program.length % 8 !== 0 || program.length > EXEC_SPEC_LIMITS.maxSeccompBytes) {
      throw new ExecSpecEncodeError(`seccompProgram must be 1..4096 struct sock_filter (8 bytes each), got ${program.length} bytes`);
    }
    writer.string(program);
  }
  if (unixSockets !== null) encodeUnixSockets(writer, unixSockets.allow);
  if (spec.keepFds.length > EXEC_SPEC_LIMITS.maxKeepFds) throw new ExecSpecEncodeError(`keepFds has more than ${EXEC_SPEC_LIMITS.maxKeepFds} entries`);
  const keepFds = sortedUnique(spec.keepFds, "keepFds", 3, EXEC_SPEC_LIMITS.maxFd);
  writer.u32(keepFds.length);
  for (const fd of keepFds) writer.u32(fd);
  if (spec.env !== undefined) encodeEnv(writer, spec.env);
  return writer.finish();
}
