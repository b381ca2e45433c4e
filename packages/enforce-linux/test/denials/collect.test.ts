// --log-denials for real: sandboxed commands that write outside their roots, read a denied file and call a
// filtered syscall, as root (records collected from the kernel audit log) and as the unprivileged user
// (nothing collected, the limits say why). Audit is switched on for these tests and the host's state is
// restored afterwards; one test shows what happens while it is off. Host-side checks pair every denial.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Denial, ExitStatus, ResolvedPolicy } from "@cordon/policy-model";
import { gatherFacts } from "../../src/host/facts.js";
import { nativeFacts } from "../../src/host/native-facts.js";
import { loadAuditBinding } from "../../src/native.js";
import { spawn } from "../../src/spawn.js";
import { makePolicy, rule } from "../helpers/policy.js";
import { PACKAGE_DIR, TEST_USER, ensureBuilt, ensureTestUser, realRunBlocker } from "../helpers/sandbox.js";

const blocker = realRunBlocker() ?? (nativeFacts().landlockAbi < 7 ? `Landlock ABI ${nativeFacts().landlockAbi} cannot log denials (needs 7)` : undefined);
if (blocker) console.warn(`SKIPPING the real --log-denials tests: ${blocker}`);

const ARCH = process.arch === "arm64" ? "aarch64" : "x86_64";
const names = (): Readonly<Record<number, string>> => (blocker ? {} : loadAuditBinding().syscallNames(ARCH));
const nrOf = (name: string): number => Number(Object.entries(names()).find(([, n]) => n === name)?.[0]);

let auditCtl = "";
let auditWas = "";
const setAudit = (on: boolean): string => execFileSync(auditCtl, ["set", on ? "1" : "0"], { encoding: "utf8" }).trim();

// A world-traversable tree: ws (the writable root), outside/ (not covered by any rule).
const root = mkdtempSync("/tmp/cordon-denials-");
const ws = path.join(root, "ws");
const outside = path.join(root, "outside");
const secret = path.join(outside, "secret");
const target = path.join(outside, "target");

beforeAll(() => {
  if (blocker) return;
  chmodSync(root, 0o755);
  mkdirSync(ws, { mode: 0o777 });
  mkdirSync(outside, { mode: 0o755 });
  chmodSync(ws, 0o777);
  writeFileSync(secret, "CANARY-secret\n", { mode: 0o644 });
  writeFileSync(target, "original\n", { mode: 0o666 });
  auditCtl = path.join(root, "audit-ctl");
  execFileSync("cc", ["-O1", "-o", auditCtl, path.join(PACKAGE_DIR, "test/denials/fixtures/audit-ctl.c")]);
  auditWas = execFileSync(auditCtl, ["get"], { encoding: "utf8" }).trim();
  if (auditWas !== "2") setAudit(true); // 2 = locked on
});

afterAll(() => {
  if (!blocker && auditWas !== "" && auditWas !== "2") setAudit(auditWas === "1");
  rmSync(root, { recursive: true, force: true });
});

/** Landlock-only profile: the system read-only, ws writable, outside/ not granted at all. */
const landlockOnlyPolicy = (): ResolvedPolicy => makePolicy({ rules: [rule("/usr", "read"), rule("/etc", "read"), rule(ws, "write")], cwd: ws });
/** bwrap profile: everything readable, ws writable. */
const bwrapPolicy = (): ResolvedPolicy => makePolicy({ rules: [rule("/", "read"), rule(ws, "write")], cwd: ws });

async function run(policy: ResolvedPolicy, mode: "bwrap" | "landlock-only", script: string, logDenials: boolean): Promise<ExitStatus & { stdout: string }> {
  const argv = ["sh", "-c", script];
  const facts = { ...gatherFacts(policy, { argv, cwd: policy.cwd, env: policy.environment }), mode };
  const child = await spawn(policy, argv, { stdio: ["ignore", "pipe", "ignore"], logDenials, facts });
  let stdout = "";
  child.child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  return { ...(await child.exited), stdout };
}

const find = (denials: readonly Denial[], kind: Denial["kind"], operation: string, target?: string): Denial | undefined =>
  denials.find((d) => d.kind === kind && d.operation === operation && (target === undefined || d.target === target));

// Reads a denied file, appends to an existing file outside the roots, calls unshare (seccomp), and writes
// inside ws (the allowed control).
const ATTEMPTS = `cat ${secret}; echo pwned >> ${target}; unshare -U true; echo ok > ${ws}/allowed; echo done`;

describe.runIf(!blocker)("--log-denials, root, Landlock-only mode (Landlock is what denies)", () => {
  it("lists the Landlock read and write denials with their paths and the seccomp denial; the allowed write is not listed", async () => {
    rmSync(`${ws}/allowed`, { force: true });
    const status = await run(landlockOnlyPolicy(), "landlock-only", ATTEMPTS, true);
    expect(status.stdout).toBe("done\n");
    // Host side: the denied write changed nothing, the allowed one happened.
    expect(readFileSync(target, "utf8")).toBe("original\n");
    expect(readFileSync(`${ws}/allowed`, "utf8")).toBe("ok\n");

    expect(find(status.denials, "file", "fs.read_file", secret), JSON.stringify(status.denials)).toEqual({ kind: "file", operation: "fs.read_file", target: secret, detail: "Landlock" });
    expect(find(status.denials, "file", "fs.write_file", target)).toEqual({ kind: "file", operation: "fs.write_file", target, detail: "Landlock" });
    expect(find(status.denials, "syscall", "unshare")).toEqual({ kind: "syscall", operation: "unshare", target: `#${nrOf("unshare")}`, detail: "seccomp returned EPERM to unshare" });
    expect(status.denials.filter((d) => d.target.startsWith(ws))).toEqual([]);
    expect(status.denialLogLimits).toEqual([]); // audit on, errno logged, marker delivered, nothing dropped
  });

  it("lists nothing for a command that is denied nothing (the sandbox's own setup is not reported)", async () => {
    const status = await run(landlockOnlyPolicy(), "landlock-only", `echo fine > ${ws}/fine; cat ${ws}/fine`, true);
    expect(status.stdout).toBe("fine\n");
    expect(status.denials).toEqual([]);
  });

  it("follows the command's children: a denial in a grandchild is listed", async () => {
    const status = await run(landlockOnlyPolicy(), "landlock-only", `sh -c 'sh -c "cat ${secret}"' ; true`, true);
    expect(find(status.denials, "file", "fs.read_file", secret)).toBeDefined();
  });

  it("without --log-denials nothing is collected and no audit or process-events socket is opened", async () => {
    const sockets = async (logDenials: boolean): Promise<{ status: ExitStatus; seen: string[] }> => {
      const go = path.join(ws, `go-${logDenials}`);
      const started = path.join(ws, `started-${logDenials}`);
      const policy = landlockOnlyPolicy();
      const argv = ["sh", "-c", `unshare -U true; touch ${started}; while [ ! -e ${go} ]; do sleep 0.05; done`];
      const facts = { ...gatherFacts(policy, { argv, cwd: ws, env: policy.environment }), mode: "landlock-only" as const };
      const child = await spawn(policy, argv, { stdio: "ignore", logDenials, facts });
      while (!existsSync(started)) await new Promise((r) => setTimeout(r, 20));
      const seen = openNetlinkSockets();
      writeFileSync(go, "");
      return { status: await child.exited, seen };
    };
    const off = await sockets(false);
    expect(off.seen).toEqual([]);
    expect(off.status.denials).toEqual([]);
    const on = await sockets(true); // the control: collecting holds both sockets open during the run
    expect(on.seen.sort()).toEqual(["NETLINK_AUDIT", "NETLINK_CONNECTOR"]);
    expect(find(on.status.denials, "syscall", "unshare")).toBeDefined();
  });

  it("while the kernel audit subsystem is off: seccomp denials are still listed, Landlock ones are not, and the limit says so", async () => {
    if (auditWas === "2") return console.warn("audit is locked on here: the audit-off case cannot be shown");
    setAudit(false);
    try {
      const status = await run(landlockOnlyPolicy(), "landlock-only", ATTEMPTS, true);
      expect(readFileSync(target, "utf8")).toBe("original\n");
      expect(find(status.denials, "syscall", "unshare")).toBeDefined();
      expect(status.denials.filter((d) => d.kind === "file")).toEqual([]);
      expect(status.denialLogLimits).toContain(
        "Landlock denials are not listed: the kernel audit subsystem is disabled (enable it with `auditctl -e 1` or boot with audit=1); seccomp denials are still listed",
      );
    } finally {
      setAudit(true);
    }
  });
});

describe.runIf(!blocker)("--log-denials, root, bubblewrap mode", () => {
  it("lists a write Landlock denies where bwrap's mount allows it (/proc/self/comm) and the seccomp denial; says mount denials are unseen", async () => {
    const status = await run(bwrapPolicy(), "bwrap", `echo x > /proc/self/comm; echo pwned >> ${target}; unshare -U true; echo ok > ${ws}/allowed2; echo done`, true);
    expect(status.stdout).toBe("done\n");
    expect(readFileSync(target, "utf8")).toBe("original\n"); // refused by the read-only mount (EROFS), not by Landlock
    expect(readFileSync(`${ws}/allowed2`, "utf8")).toBe("ok\n");
    const comm = status.denials.find((d) => d.operation === "fs.write_file" && /^\/proc\/\d+\/comm$/.test(d.target));
    expect(comm, JSON.stringify(status.denials)).toMatchObject({ kind: "file", detail: "Landlock" });
    expect(find(status.denials, "syscall", "unshare")).toBeDefined();
    expect(status.denials.filter((d) => d.target === target || d.target.startsWith(ws))).toEqual([]);
    expect(status.denialLogLimits).toEqual([
      "bubblewrap's masks and read-only mounts refuse access in the filesystem itself (EACCES, EROFS) before Landlock is asked, so reads of masked paths and writes outside the writable roots are not logged by any kernel facility",
    ]);
  });
});

describe.runIf(!blocker)("--log-denials as the unprivileged user", () => {
  it("collects nothing, says why, and still runs and confines the command", () => {
    ensureBuilt();
    ensureTestUser();
    rmSync(`${ws}/allowed-user`, { force: true });
    const input = path.join(root, "input.json");
    writeFileSync(input, JSON.stringify({ policy: bwrapPolicy(), argv: ["sh", "-c", `unshare -U true; echo pwned >> ${target}; echo ok > ${ws}/allowed-user; echo done`], logDenials: true }));
    chmodSync(input, 0o644);
    const r = spawnSync("runuser", ["-u", TEST_USER, "--", process.execPath, path.join(PACKAGE_DIR, "test/denials/runner.mjs"), input], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout) as { code: number; stdout: string; denials: Denial[]; limits: string[] };
    expect(status.stdout).toBe("done\n");
    expect(readFileSync(target, "utf8")).toBe("original\n");
    expect(readFileSync(`${ws}/allowed-user`, "utf8")).toBe("ok\n");
    expect(status.denials).toEqual([]);
    expect(status.limits).toContain(
      "no denials were collected: reading the kernel audit log needs CAP_AUDIT_READ and following the sandbox's processes needs CAP_NET_ADMIN: run cordon as root (Landlock still hands its denials to the system audit log, e.g. auditd, when audit is enabled)",
    );
  });
});

const CLI = path.resolve(PACKAGE_DIR, "../../apps/cli/dist/main.js");
const cliBlocker = blocker ?? (existsSync(CLI) ? undefined : `the CLI is not built (${CLI}; run npx turbo run build)`);
if (!blocker && cliBlocker) console.warn(`SKIPPING the cordon run --log-denials CLI test: ${cliBlocker}`);

describe.runIf(!cliBlocker)("cordon run --log-denials (CLI output)", () => {
  it('prints "cordon: N denials recorded", one "cordon: denied …" line per denial and "cordon: note: …" limits, and passes the exit code', () => {
    ensureBuilt();
    const repo = path.join(root, "repo");
    mkdirSync(path.join(repo, ".git"), { recursive: true });
    const home = path.join(root, "cordon-home");
    mkdirSync(home, { recursive: true });
    const r = spawnSync(process.execPath, [CLI, "run", "--log-denials", "--", "sh", "-c", "unshare -U true; echo x > /proc/self/comm; exit 3"], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root, CORDON_HOME: home, CORDON_SYSTEM_DIR: path.join(root, "cordon-system") },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(3);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("cordon: "));
    const denied = lines.filter((l) => l.startsWith("cordon: denied "));
    expect(lines).toContain(`cordon: ${denied.length} denial${denied.length === 1 ? "" : "s"} recorded`);
    expect(denied).toContain(`cordon: denied syscall unshare #${nrOf("unshare")} (seccomp returned EPERM to unshare)`);
    expect(denied.some((l) => /^cordon: denied file fs\.write_file \/proc\/\d+\/comm \(Landlock\)$/.test(l)), r.stderr).toBe(true);
    expect(lines).toContain(
      "cordon: note: bubblewrap's masks and read-only mounts refuse access in the filesystem itself (EACCES, EROFS) before Landlock is asked, so reads of masked paths and writes outside the writable roots are not logged by any kernel facility",
    );
    // The summary comes first, then the denials, then the notes.
    expect(lines.findIndex((l) => l.endsWith("recorded"))).toBeLessThan(lines.findIndex((l) => l.startsWith("cordon: denied ")));
  });

  it("without --log-denials prints no denial report", () => {
    const repo = path.join(root, "repo");
    const r = spawnSync(process.execPath, [CLI, "run", "--", "sh", "-c", "unshare -U true; exit 0"], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root, CORDON_HOME: path.join(root, "cordon-home"), CORDON_SYSTEM_DIR: path.join(root, "cordon-system") },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/^cordon: (\d+ denials? recorded|denied |note: )/m);
  });
});

/** Names of the netlink protocols (audit 9, connector 11) of the sockets this process holds open. */
function openNetlinkSockets(): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const protocols: Record<string, string> = { "9": "NETLINK_AUDIT", "11": "NETLINK_CONNECTOR" };
  const found: string[] = [];
  for (const line of readFileSync("/proc/self/net/netlink", "utf8").split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    const protocol = protocols[cols[1] ?? ""];
    if (protocol && inodes.has(cols[9] ?? "")) found.push(protocol);
  }
  return found;
}
