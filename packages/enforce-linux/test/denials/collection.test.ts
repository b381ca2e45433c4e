// The denial collection's lifecycle and its limits, with a scripted audit binding: every limit the exit
// status can carry is produced by the condition that causes it, and absent without it.
import { constants as osConstants } from "node:os";
import { describe, expect, it } from "vitest";
import { denialLogLimits, startDenialCollection, wantsSeccompLog, type DenialHost } from "../../src/denials.js";
import type { AuditBinding, AuditCollectorHandle, AuditStatus, CollectedAudit } from "../../src/native.js";
import type { LinuxPlan } from "../../src/types.js";

const plan = (mode: LinuxPlan["mode"]): LinuxPlan => ({
  mode,
  profile: "p",
  argv: ["x"],
  cwd: "/",
  env: {},
  mounts: [],
  placeholders: [],
  execSpec: null,
  seccomp: null,
  specFd: null,
  runtimeDir: null,
  notes: [],
});

const STATUS: AuditStatus = { ok: true, enabled: 1, lost: 5, backlogLimit: 64, rateLimit: 0, auditdPid: 0 };
const SANDBOX = 100;
const UNSHARE_RECORD = { type: 1326, text: `audit(1.2:3): pid=101 comm="unshare" arch=c000003e syscall=272 code=0x50000` };

interface Script {
  statuses?: AuditStatus[];
  open?: { ok: false; errno: number; message: string };
  collected?: Partial<CollectedAudit>;
  markerSeen?: boolean;
  markerPid?: number;
}

/** A fake binding; `calls` records what the collection did with it. */
function binding(script: Script = {}): { audit: AuditBinding; calls: string[] } {
  const calls: string[] = [];
  const statuses = [...(script.statuses ?? [STATUS, STATUS])];
  const collector: AuditCollectorHandle = {
    emitMarker: (logErrno) => {
      calls.push(`marker(${logErrno})`);
      return script.markerPid ?? 4242;
    },
    sawSeccompFrom: () => script.markerSeen ?? true,
    stop: () => {
      calls.push("stop");
      return { records: [UNSHARE_RECORD], forks: new Int32Array([SANDBOX, 101, 101]), auditOverflows: 0, forkOverflows: 0, recordsOverCap: 0, procEventsError: null, ...script.collected };
    },
  };
  const audit: AuditBinding = {
    status: () => {
      calls.push("status");
      return statuses.shift() ?? STATUS;
    },
    openCollector: () => {
      calls.push("open");
      return script.open ?? { ok: true, collector };
    },
    syscallNames: () => ({ 272: "unshare" }),
  };
  return { audit, calls };
}

const host = (audit: DenialHost["audit"], overrides: Partial<DenialHost> = {}): DenialHost => ({
  landlockAbi: 7,
  actionsLogged: "kill_process kill_thread trap errno user_notif trace log",
  arch: "x86_64",
  audit,
  ...overrides,
});

async function run(mode: LinuxPlan["mode"], h: DenialHost, track = true) {
  const collection = startDenialCollection(plan(mode), h);
  if (track) collection.track(SANDBOX);
  return { collection, result: await collection.finish() };
}

describe("denialLogLimits (what holds whatever the host offers)", () => {
  it("bwrap: masks and read-only mounts are not logged; landlock-only: nothing static; direct: no sandbox", () => {
    expect(denialLogLimits(plan("bwrap"))).toEqual([
      "bubblewrap's masks and read-only mounts refuse access in the filesystem itself (EACCES, EROFS) before Landlock is asked, so reads of masked paths and writes outside the writable roots are not logged by any kernel facility",
    ]);
    expect(denialLogLimits(plan("landlock-only"))).toEqual([]);
    expect(denialLogLimits(plan("direct"))).toEqual(["no sandbox: nothing is denied under an unrestricted profile"]);
  });
});

describe("startDenialCollection", () => {
  it("collects the tree's denials with no host limit when audit is on and errno is logged", async () => {
    const { audit, calls } = binding();
    const { collection, result } = await run("landlock-only", host(audit));
    expect(collection.seccompLog).toBe(true);
    expect(collection.landlockLog).toBe(true);
    expect(result).toEqual({ denials: [{ kind: "syscall", operation: "unshare", target: "#272", detail: "seccomp returned EPERM to unshare" }], limits: [] });
    expect(calls).toEqual(["status", "open", "marker(true)", "stop", "status"]);
  });

  it("without a tracked sandbox pid it lists nothing and says the sandbox did not start", async () => {
    const { audit } = binding();
    const { result } = await run("bwrap", host(audit), false);
    expect(result.denials).toEqual([]);
    expect(result.limits).toContain("no denials were collected: the sandbox did not start");
  });

  it("as a user without CAP_AUDIT_READ: nothing collected, and the limit says to run as root", async () => {
    const { audit, calls } = binding({ open: { ok: false, errno: osConstants.errno.EPERM, message: "audit log socket: Operation not permitted" } });
    const { collection, result } = await run("bwrap", host(audit));
    expect(collection.seccompLog).toBe(false);
    expect(result.denials).toEqual([]);
    expect(result.limits).toEqual([
      ...denialLogLimits(plan("bwrap")),
      "no denials were collected: reading the kernel audit log needs CAP_AUDIT_READ and following the sandbox's processes needs CAP_NET_ADMIN: run cordon as root (Landlock still hands its denials to the system audit log, e.g. auditd, when audit is enabled)",
    ]);
    expect(calls).not.toContain("marker(true)");
  });

  it("names other refusals with their errno", async () => {
    const { audit } = binding({ open: { ok: false, errno: osConstants.errno.EPROTONOSUPPORT, message: "audit log socket: Protocol not supported" } });
    const { result } = await run("landlock-only", host(audit));
    expect(result.limits).toEqual(["no denials were collected: the kernel refused (audit log socket: Protocol not supported, EPROTONOSUPPORT)"]);
  });

  it("says when the addon has no audit functions, and opens nothing", async () => {
    const { result } = await run("landlock-only", host({ unavailable: "cordon: native component cordon_native.node not found" }));
    expect(result.limits).toEqual(["no denials were collected: cordon: native component cordon_native.node not found"]);
  });

  it("opens no socket for an unrestricted (direct) plan", async () => {
    const { audit, calls } = binding();
    const { result } = await run("direct", host(audit));
    expect(calls).toEqual([]);
    expect(result.limits).toEqual(["no sandbox: nothing is denied under an unrestricted profile", "no denials were collected: the command ran without a sandbox"]);
  });

  it("audit disabled: Landlock denials are not listed (seccomp ones still are)", async () => {
    const off = { ...STATUS, enabled: 0 };
    const { audit } = binding({ statuses: [off, off] });
    const { result } = await run("landlock-only", host(audit));
    expect(result.denials).toHaveLength(1);
    expect(result.limits).toEqual([
      "Landlock denials are not listed: the kernel audit subsystem is disabled (enable it with `auditctl -e 1` or boot with audit=1); seccomp denials are still listed",
    ]);
  });

  it("Landlock ABI below 7 cannot log", async () => {
    const { audit } = binding();
    const { collection, result } = await run("landlock-only", host(audit, { landlockAbi: 6 }));
    expect(collection.landlockLog).toBe(false);
    expect(result.limits).toEqual(["Landlock denials are not listed: Landlock ABI 6 cannot log them (ABI 7, Linux 6.15, can)"]);
  });

  it("an unreadable audit status is said, not guessed", async () => {
    const { audit } = binding();
    const unreadable = { ...audit, status: () => ({ ok: false as const, errno: osConstants.errno.EPERM, message: "AUDIT_GET: Operation not permitted" }) };
    const { result } = await run("landlock-only", host(unreadable));
    expect(result.limits).toEqual([
      "the kernel audit status is unreadable (AUDIT_GET: Operation not permitted): Landlock denials are listed only if audit is enabled, and dropped records cannot be detected",
    ]);
  });

  it("seccomp errno actions not in actions_logged: no LOG flag, a limit, and the marker uses RET_LOG", async () => {
    const { audit, calls } = binding();
    const { collection, result } = await run("landlock-only", host(audit, { actionsLogged: "kill_process kill_thread log" }));
    expect(collection.seccompLog).toBe(false);
    expect(calls).toContain("marker(false)");
    expect(result.limits).toEqual(['seccomp denials are not listed: /proc/sys/kernel/seccomp/actions_logged does not include "errno"']);
  });

  it("without errno or log in actions_logged the end of the run cannot be marked", async () => {
    const { audit, calls } = binding();
    const { result } = await run("landlock-only", host(audit, { actionsLogged: "kill_process" }));
    expect(calls.some((c) => c.startsWith("marker"))).toBe(false);
    expect(result.limits).toContain("the end of the run could not be marked in the audit stream (seccomp logs neither errno nor log actions), so late records may be missing");
    expect(result.limits).toContain('seccomp denials are not listed: /proc/sys/kernel/seccomp/actions_logged does not include "errno"');
  });

  it("a marker that cannot be emitted or never arrives is said", async () => {
    const failed = binding({ markerPid: -osConstants.errno.EPERM });
    expect((await run("landlock-only", host(failed.audit))).result.limits).toEqual([
      "the end of the run could not be marked in the audit stream (EPERM), so late records may be missing",
    ]);
    const lost = binding({ markerSeen: false });
    expect((await run("landlock-only", host(lost.audit))).result.limits).toEqual([
      "the audit stream did not confirm delivery within 2 s (audit exclude rules or a full backlog?), so late records may be missing",
    ]);
  });

  it("records the kernel dropped during the run are counted; overflows are said", async () => {
    const dropped = binding({ statuses: [STATUS, { ...STATUS, lost: 8, rateLimit: 100 }] });
    expect((await run("landlock-only", host(dropped.audit))).result.limits).toEqual([
      "the kernel dropped 3 audit record(s) system-wide during the run (backlog limit 64, rate limit 100/s), so denials may be missing",
    ]);
    const overflow = binding({ collected: { auditOverflows: 1, forkOverflows: 2 } });
    expect((await run("landlock-only", host(overflow.audit))).result.limits).toEqual([
      "cordon's audit socket or buffer overflowed, so denials may be missing",
      "fork events were lost, so denials of some of the sandbox's processes may be missing",
    ]);
  });

  it("when fork events are refused nothing is attributed (rather than guessing)", async () => {
    const { audit } = binding({ collected: { procEventsError: { ok: false, errno: osConstants.errno.EPERM, message: "process events subscription: Operation not permitted" } } });
    const { result } = await run("landlock-only", host(audit));
    expect(result.denials).toEqual([]);
    expect(result.limits).toEqual(["denials could not be attributed to the sandbox's processes (process events subscription: Operation not permitted), so none are listed"]);
  });
});

describe("wantsSeccompLog", () => {
  const { audit } = binding();
  it("only when the records can be collected and errno is logged", () => {
    const root = process.geteuid?.() === 0;
    expect(wantsSeccompLog(host(audit))).toBe(root);
    expect(wantsSeccompLog(host(audit, { actionsLogged: "kill_process log" }))).toBe(false);
    expect(wantsSeccompLog(host(audit, { actionsLogged: null }))).toBe(false);
    expect(wantsSeccompLog(host({ unavailable: "no addon" }))).toBe(false);
  });
});
