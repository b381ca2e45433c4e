// encodeExecSpec: exact wire layout and every validation error (the native side is tested in cordon-exec.test.ts).
import { describe, expect, it } from "vitest";
import { encodeExecSpec, EXEC_SPEC_MAGIC, ExecSpecEncodeError } from "../../src/exec-spec-encode.js";
import type { ExecSpec } from "../../src/exec-spec.js";

const BASE: ExecSpec = { landlock: null, seccompProgram: null, keepFds: [], newSession: false, newKeyring: false };
const LANDLOCK: NonNullable<ExecSpec["landlock"]> = {
  minAbi: 4,
  rules: [{ path: "/usr", rights: "read" }, { path: "/w", rights: "write" }],
  tcpConnectPorts: [443, 80],
  denyTcpBind: true,
  scopeSignals: true,
  scopeAbstractUnix: false,
  logDenials: true,
};

function u32s(bytes: Uint8Array, from: number, count: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return Array.from({ length: count }, (_, i) => view.getUint32(from + 4 * i, true));
}

describe("encodeExecSpec", () => {
  it("encodes the empty spec as magic, flags 0, no keep fds", () => {
    const bytes = encodeExecSpec(BASE);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe(EXEC_SPEC_MAGIC);
    expect(bytes.length).toBe(12);
    expect(u32s(bytes, 4, 2)).toEqual([0, 0]);
  });

  it("encodes every field in the documented order", () => {
    const program = new Uint8Array(16).fill(7);
    const bytes = encodeExecSpec({ ...BASE, newSession: true, newKeyring: true, landlock: LANDLOCK, seccompProgram: program, keepFds: [9, 4], env: { A: "b" } });
    expect(u32s(bytes, 4, 1)).toEqual([0b11111]);
    expect(u32s(bytes, 8, 4)).toEqual([4, 0b10111, 2, 1]); // minAbi, flags (tcp, bind, signals, log), rule count, rights read
    let at = 24;
    expect(u32s(bytes, at, 1)).toEqual([4]);
    expect(new TextDecoder().decode(bytes.subarray(at + 4, at + 8))).toBe("/usr");
    at += 8;
    expect(u32s(bytes, at, 2)).toEqual([2, 2]);
    expect(new TextDecoder().decode(bytes.subarray(at + 8, at + 10))).toBe("/w");
    at += 10;
    expect(u32s(bytes, at, 3)).toEqual([2, 80, 443]); // ports sorted
    at += 12;
    expect(u32s(bytes, at, 1)).toEqual([16]);
    expect(bytes.subarray(at + 4, at + 20)).toEqual(program);
    at += 20;
    expect(u32s(bytes, at, 3)).toEqual([2, 4, 9]); // keep fds sorted
    at += 12;
    expect(u32s(bytes, at, 2)).toEqual([1, 3]);
    expect(new TextDecoder().decode(bytes.subarray(at + 8, at + 11))).toBe("A=b");
    expect(bytes.length).toBe(at + 11);
  });

  it("marks an empty port list (no TCP at all) differently from no restriction", () => {
    const none = encodeExecSpec({ ...BASE, landlock: { ...LANDLOCK, rules: [], tcpConnectPorts: [] } });
    const open = encodeExecSpec({ ...BASE, landlock: { ...LANDLOCK, rules: [], tcpConnectPorts: null } });
    expect(u32s(none, 12, 1)[0]! & 1).toBe(1);
    expect(u32s(open, 12, 1)[0]! & 1).toBe(0);
    expect(none.length).toBe(open.length + 4);
  });

  const invalid: [string, ExecSpec, string][] = [
    ["relative path", { ...BASE, landlock: { ...LANDLOCK, rules: [{ path: "usr", rights: "read" }] } }, "landlock.rules[0].path must be an absolute path"],
    ["NUL in path", { ...BASE, landlock: { ...LANDLOCK, rules: [{ path: "/a\0b", rights: "read" }] } }, "landlock.rules[0].path contains a NUL byte"],
    ["overlong path", { ...BASE, landlock: { ...LANDLOCK, rules: [{ path: `/${"a".repeat(4095)}`, rights: "read" }] } }, "landlock.rules[0].path is longer than 4095 bytes"],
    ["bad rights", { ...BASE, landlock: { ...LANDLOCK, rules: [{ path: "/x", rights: "exec" as "read" }] } }, 'landlock.rules[0].rights must be "read" or "write"'],
    ["minAbi 0", { ...BASE, landlock: { ...LANDLOCK, minAbi: 0 } }, "landlock.minAbi must be an integer >= 1"],
    ["fractional minAbi", { ...BASE, landlock: { ...LANDLOCK, minAbi: 1.5 } }, "landlock.minAbi must be an integer >= 1"],
    ["port 0", { ...BASE, landlock: { ...LANDLOCK, tcpConnectPorts: [0] } }, "landlock.tcpConnectPorts[0] must be an integer in 1..65535"],
    ["port 65536", { ...BASE, landlock: { ...LANDLOCK, tcpConnectPorts: [80, 65536] } }, "landlock.tcpConnectPorts[1] must be an integer in 1..65535"],
    ["duplicate ports", { ...BASE, landlock: { ...LANDLOCK, tcpConnectPorts: [80, 80] } }, "landlock.tcpConnectPorts contains duplicates"],
    ["empty seccomp program", { ...BASE, seccompProgram: new Uint8Array(0) }, "seccompProgram must be 1..4096 struct sock_filter (8 bytes each), got 0 bytes"],
    ["ragged seccomp program", { ...BASE, seccompProgram: new Uint8Array(12) }, "got 12 bytes"],
    ["oversized seccomp program", { ...BASE, seccompProgram: new Uint8Array(4097 * 8) }, "got 32776 bytes"],
    ["keep fd 2", { ...BASE, keepFds: [2] }, "keepFds[0] must be an integer in 3..1048576"],
    ["keep fd NaN", { ...BASE, keepFds: [Number.NaN] }, "keepFds[0] must be an integer in 3..1048576"],
    ["duplicate keep fds", { ...BASE, keepFds: [5, 5] }, "keepFds contains duplicates"],
    ["env name with =", { ...BASE, env: { "A=B": "x" } }, 'env name "A=B" is empty or contains "=" or NUL'],
    ["empty env name", { ...BASE, env: { "": "x" } }, 'env name "" is empty or contains "=" or NUL'],
    ["NUL in env value", { ...BASE, env: { A: "x\0y" } }, "env A must be a string without NUL bytes"],
  ];
  it.each(invalid)("rejects %s", (_label, spec, message) => {
    expect(() => encodeExecSpec(spec)).toThrow(ExecSpecEncodeError);
    expect(() => encodeExecSpec(spec)).toThrow(message);
  });

  it("prefixes errors with 'invalid exec spec:'", () => {
    expect(() => encodeExecSpec({ ...BASE, keepFds: [1] })).toThrow(/^invalid exec spec: keepFds\[0\]/);
  });
});
