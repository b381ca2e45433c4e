// `--log-denials` on Linux: collects the kernel's audit records for the run (seccomp errno/kill records,
// Landlock access records of the sandbox's domains) and says plainly, in every exit status, what it could
// not observe. Records are read from the audit multicast group (CAP_AUDIT_READ) and attributed to the
// sandbox through its process tree (fork events, CAP_NET_ADMIN): both need root.
import { readFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import type { Denial } from "@cordon/policy-model";
import { denialsFromRecords, processTree, type SyscallNames } from "./audit-records.js";
import { loadAuditBinding, type AuditBinding, type AuditCallError, type AuditCollectorHandle, type AuditStatus } from "./native.js";
import type { LinuxPlan } from "./types.js";

/** Landlock ABI that can log denials (landlock_restrict_self LOG flags, audit records). */
const LANDLOCK_AUDIT_ABI = 7;
/** How long to wait for the audit stream to deliver the end-of-run marker. */
const MARKER_TIMEOUT_MS = 2_000;
const MARKER_POLL_MS = 5;
const ACTIONS_LOGGED = "/proc/sys/kernel/seccomp/actions_logged";

/** Limits that hold for a plan whatever the host offers. */
export function denialLogLimits(plan: LinuxPlan): string[] {
  if (plan.mode === "direct") return ["no sandbox: nothing is denied under an unrestricted profile"];
  const limits: string[] = [];
  if (plan.mode === "bwrap") {
    limits.push(
      "bubblewrap's masks and read-only mounts refuse access in the filesystem itself (EACCES, EROFS) before Landlock is asked, " +
        "so reads of masked paths and writes outside the writable roots are not logged by any kernel facility",
    );
  }
  return limits;
}

/** What the collection saw, for the exit status. */
export interface CollectedDenials {
  readonly denials: Denial[];
  readonly limits: string[];
}

/** One run's denial collection: started before the spawn, finished after the exit. */
export interface DenialCollection {
  /** Install the seccomp filter with SECCOMP_FILTER_FLAG_LOG (only when its records are collected). */
  readonly seccompLog: boolean;
  /** Landlock denials can be logged (ABI 7); pass the LOG flags to landlock_restrict_self. */
  readonly landlockLog: boolean;
  /** The host pid cordon spawned (bwrap or the helper): the root of the sandbox's process tree. */
  track(pid: number | undefined): void;
  /** Waits until the kernel delivered the run's records, stops collecting, and returns denials and limits. */
  finish(): Promise<CollectedDenials>;
}

/** Host facts the collection depends on; tests pass their own. */
export interface DenialHost {
  readonly landlockAbi: number;
  /** Contents of /proc/sys/kernel/seccomp/actions_logged, or null when unreadable. */
  readonly actionsLogged: string | null;
  readonly arch: "x86_64" | "aarch64" | null;
  /** The addon's audit functions, or why they are unavailable. */
  readonly audit: AuditBinding | { readonly unavailable: string };
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(osConstants.errno)) if (value === errno) return name;
  return `errno ${errno}`;
}

function whyNotCollected(error: AuditCallError): string {
  const reason =
    error.errno === osConstants.errno.EPERM
      ? "reading the kernel audit log needs CAP_AUDIT_READ and following the sandbox's processes needs CAP_NET_ADMIN: run cordon as root " +
        "(Landlock still hands its denials to the system audit log, e.g. auditd, when audit is enabled)"
      : `the kernel refused (${error.message}, ${errnoName(error.errno)})`;
  return `no denials were collected: ${reason}`;
}

function readActionsLogged(): string | null {
  try {
    return readFileSync(ACTIONS_LOGGED, "utf8").trim();
  } catch {
    return null;
  }
}

/** This host's facts for the denial log. */
export function denialHost(landlockAbi: number): DenialHost {
  let audit: DenialHost["audit"];
  try {
    audit = loadAuditBinding();
  } catch (error) {
    audit = { unavailable: (error as Error).message };
  }
  const arch = process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : null;
  return { landlockAbi, actionsLogged: readActionsLogged(), arch, audit };
}

/** Limits that depend on the kernel's audit and seccomp settings (collector running). */
function hostLimits(host: DenialHost, status: AuditStatus | AuditCallError, seccompLog: boolean): string[] {
  const limits: string[] = [];
  if (host.landlockAbi < LANDLOCK_AUDIT_ABI) {
    limits.push(`Landlock denials are not listed: Landlock ABI ${host.landlockAbi} cannot log them (ABI ${LANDLOCK_AUDIT_ABI}, Linux 6.15, can)`);
  } else if (!status.ok) {
    limits.push(`the kernel audit status is unreadable (${status.message}): Landlock denials are listed only if audit is enabled, and dropped records cannot be detected`);
  } else if (status.enabled === 0) {
    limits.push("Landlock denials are not listed: the kernel audit subsystem is disabled (enable it with `auditctl -e 1` or boot with audit=1); seccomp denials are still listed");
  }
  if (!seccompLog) {
    limits.push(`seccomp denials are not listed: ${ACTIONS_LOGGED} ${host.actionsLogged === null ? "is unreadable" : 'does not include "errno"'}`);
  }
  return limits;
}

function seccompLogWanted(host: DenialHost): boolean {
  return host.actionsLogged !== null && host.actionsLogged.split(/\s+/).includes("errno");
}

/**
 * Whether the helper should install its seccomp filter with SECCOMP_FILTER_FLAG_LOG: only when the
 * records can be collected (root, the addon's audit functions) and the kernel logs errno actions.
 * Otherwise the flag would only fill the kernel log with records nobody reads.
 */
export function wantsSeccompLog(host: DenialHost): boolean {
  return !("unavailable" in host.audit) && process.geteuid?.() === 0 && seccompLogWanted(host);
}

async function waitForMarker(collector: AuditCollectorHandle, logErrno: boolean, canMark: boolean): Promise<string | null> {
  if (!canMark) return "the end of the run could not be marked in the audit stream (seccomp logs neither errno nor log actions), so late records may be missing";
  const marker = collector.emitMarker(logErrno);
  if (marker < 0) return `the end of the run could not be marked in the audit stream (${errnoName(-marker)}), so late records may be missing`;
  const deadline = Date.now() + MARKER_TIMEOUT_MS;
  while (!collector.sawSeccompFrom(marker)) {
    if (Date.now() >= deadline) return `the audit stream did not confirm delivery within ${MARKER_TIMEOUT_MS / 1000} s (audit exclude rules or a full backlog?), so late records may be missing`;
    await new Promise((resolve) => setTimeout(resolve, MARKER_POLL_MS));
  }
  return null;
}

/** A collection that collected nothing, and says why. */
function notCollecting(plan: LinuxPlan, why: string, landlockLog: boolean): DenialCollection {
  return {
    seccompLog: false,
    landlockLog,
    track: () => undefined,
    finish: async () => ({ denials: [], limits: [...denialLogLimits(plan), why] }),
  };
}

/**
 * Starts collecting for a sandboxed plan (call before spawning). Never throws: when collecting is not
 * possible, the collection's limits say why. Opens no socket for a `direct` plan.
 */
export function startDenialCollection(plan: LinuxPlan, host: DenialHost): DenialCollection {
  const landlockLog = host.landlockAbi >= LANDLOCK_AUDIT_ABI;
  if (plan.mode === "direct") return notCollecting(plan, "no denials were collected: the command ran without a sandbox", false);
  if ("unavailable" in host.audit) return notCollecting(plan, `no denials were collected: ${host.audit.unavailable}`, landlockLog);
  if (host.arch === null) return notCollecting(plan, `no denials were collected: seccomp records cannot be decoded on ${process.arch}`, landlockLog);
  const audit = host.audit;
  const statusBefore = audit.status();
  const opened = audit.openCollector();
  if (!opened.ok) return notCollecting(plan, whyNotCollected(opened), landlockLog);
  const collector = opened.collector;
  const seccompLog = seccompLogWanted(host);
  const canMark = seccompLog || (host.actionsLogged ?? "").split(/\s+/).includes("log");
  const names: SyscallNames = (arch) => audit.syscallNames(arch);
  let root: number | undefined;

  return {
    seccompLog,
    landlockLog,
    track: (pid) => {
      root = pid;
    },
    finish: async () => {
      const markerProblem = await waitForMarker(collector, seccompLog, canMark);
      const collected = collector.stop();
      const statusAfter = audit.status();
      const limits = [...denialLogLimits(plan), ...hostLimits(host, statusBefore, seccompLog)];
      if (root === undefined) return { denials: [], limits: [...limits, "no denials were collected: the sandbox did not start"] };
      const tree = processTree(root, collected.forks);
      const denials = denialsFromRecords(collected.records, tree, names);
      if (markerProblem) limits.push(markerProblem);
      if (statusBefore.ok && statusAfter.ok && statusAfter.lost > statusBefore.lost) {
        limits.push(`the kernel dropped ${statusAfter.lost - statusBefore.lost} audit record(s) system-wide during the run (backlog limit ${statusAfter.backlogLimit}${statusAfter.rateLimit ? `, rate limit ${statusAfter.rateLimit}/s` : ""}), so denials may be missing`);
      }
      if (collected.auditOverflows > 0 || collected.recordsOverCap > 0) limits.push("cordon's audit socket or buffer overflowed, so denials may be missing");
      if (collected.procEventsError) limits.push(`denials could not be attributed to the sandbox's processes (${collected.procEventsError.message}), so none are listed`);
      else if (collected.forkOverflows > 0) limits.push("fork events were lost, so denials of some of the sandbox's processes may be missing");
      return { denials: collected.procEventsError ? [] : denials, limits };
    },
  };
}
