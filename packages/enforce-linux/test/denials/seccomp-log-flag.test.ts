// ExecSpec.seccompLog end to end: the encoder sets the flag only with a program, cordon-exec refuses the flag
// alone, and with it the kernel audit-logs the filter's errno denials (without it: nothing, the control).
import { copyFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeExecSpec, ExecSpecEncodeError } from "../../src/exec-spec-encode.js";
import { loadAuditBinding } from "../../src/native.js";
import { BASE_SPEC, createWorkspace, isLinux, isRoot, runHelper, seccompProgram } from "../native/harness.js";

const FLAG_SECCOMP_LOG = 1 << 5;
const flagsOf = (bytes: Uint8Array): number => new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);

describe.runIf(isLinux)("seccompLog in the exec spec", () => {
  const program = (): Uint8Array => seccompProgram({ network: "none", allowUnixSockets: false });

  it("is encoded as flag bit 5, only when asked", () => {
    expect(flagsOf(encodeExecSpec({ ...BASE_SPEC, seccompProgram: program(), seccompLog: true })) & FLAG_SECCOMP_LOG).toBe(FLAG_SECCOMP_LOG);
    expect(flagsOf(encodeExecSpec({ ...BASE_SPEC, seccompProgram: program() })) & FLAG_SECCOMP_LOG).toBe(0);
    expect(flagsOf(encodeExecSpec({ ...BASE_SPEC, seccompProgram: program(), seccompLog: false })) & FLAG_SECCOMP_LOG).toBe(0);
  });

  it("is refused without a seccomp program, by the encoder and by cordon-exec (exit 125, the command never runs)", async () => {
    expect(() => encodeExecSpec({ ...BASE_SPEC, seccompLog: true })).toThrow(new ExecSpecEncodeError("seccompLog needs a seccompProgram"));
    const raw = encodeExecSpec(BASE_SPEC);
    new DataView(raw.buffer, raw.byteOffset).setUint32(4, flagsOf(raw) | FLAG_SECCOMP_LOG, true);
    const result = await runHelper({ spec: raw, command: ["echo", "ran"] });
    expect(result.code).toBe(125);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("cordon-exec: malformed spec: seccomp log flag without a seccomp program: Invalid argument\n");
  });
});

if (isLinux && !isRoot) console.warn("SKIPPING the seccompLog audit-record test: reading the audit log needs root");

describe.runIf(isLinux && isRoot)("seccompLog makes the kernel log the filter's denials", () => {
  const ws = createWorkspace();
  afterAll(() => ws.cleanup());

  it("with the flag an AUDIT_SECCOMP record names the denied unshare; without it (the control) none", async () => {
    const audit = loadAuditBinding();
    // Distinct executable names (comm) tell the two runs' records apart from anything else on the host.
    const tag = randomBytes(3).toString("hex");
    const withFlag = path.join(ws.dir, `lgon${tag}`);
    const without = path.join(ws.dir, `lgoff${tag}`);
    copyFileSync(ws.probe, withFlag);
    copyFileSync(ws.probe, without);
    const opened = audit.openCollector();
    if (!opened.ok) throw new Error(opened.message);
    const on = await runHelper({ spec: { ...BASE_SPEC, seccompProgram: program(), seccompLog: true }, command: [withFlag, "sys", "unshare"] });
    const off = await runHelper({ spec: { ...BASE_SPEC, seccompProgram: program() }, command: [without, "sys", "unshare"] });
    const marker = opened.collector.emitMarker(true);
    for (let i = 0; i < 400 && !opened.collector.sawSeccompFrom(marker); i++) await new Promise((r) => setTimeout(r, 5));
    const { records } = opened.collector.stop();
    expect(on.stdout).toBe("unshare 1\n"); // EPERM either way: logging does not change the decision
    expect(off.stdout).toBe("unshare 1\n");
    const unshareNr = Object.entries(audit.syscallNames(process.arch === "arm64" ? "aarch64" : "x86_64")).find(([, n]) => n === "unshare")![0];
    const of = (comm: string) => records.filter((r) => r.type === 1326 && r.text.includes(` comm="${comm}" `) && r.text.includes(` syscall=${unshareNr} `));
    expect(of(`lgon${tag}`)).toHaveLength(1);
    expect(of(`lgon${tag}`)[0]!.text).toMatch(/ code=0x50000$/);
    expect(of(`lgoff${tag}`)).toHaveLength(0);
  });

  function program(): Uint8Array {
    return seccompProgram({ network: "none", allowUnixSockets: false });
  }
});
