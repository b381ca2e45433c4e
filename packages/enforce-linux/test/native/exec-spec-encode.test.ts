// encodeExecSpec: exact wire layout and every validation error (the native side is tested in cordon-exec.test.ts).
import { describe, expect, it } from "vitest";
import { encodeExecSpec, EXEC_SPEC_MAGIC, ExecSpecEncodeError, isCanonicalSocketPath } from "../../src/exec-spec-encode.js";
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
  it("encodes the unix socket allowlist after the seccomp program, in the given order (flag bit 6)", () => {
    const program = new Uint8Array(8).fill(1);
    const bytes = encodeExecSpec({ ...BASE, seccompProgram: program, unixSockets: { allow: ["/run/docker.sock", "/a"] } });
    expect(u32s(bytes, 4, 1)).toEqual([0b100_1000]);
    expect(u32s(bytes, 8, 1)).toEqual([8]);
    let at = 20;
    expect(u32s(bytes, at, 2)).toEqual([2, 16]);
    expect(new TextDecoder().decode(bytes.subarray(at + 8, at + 24))).toBe("/run/docker.sock");
    at += 24;
    expect(u32s(bytes, at, 1)).toEqual([2]);
    expect(new TextDecoder().decode(bytes.subarray(at + 4, at + 6))).toBe("/a");
    at += 6;
    expect(u32s(bytes, at, 1)).toEqual([0]); // keep fds
    expect(bytes.length).toBe(at + 4);
  });

  it("encodes an empty allowlist as mediation with nothing reachable, and null/absent as no mediation", () => {
    const program = new Uint8Array(8);
    const empty = encodeExecSpec({ ...BASE, seccompProgram: program, unixSockets: { allow: [] } });
    expect(u32s(empty, 4, 1)[0]! & 0b100_0000).toBe(0b100_0000);
    expect(u32s(empty, 20, 1)).toEqual([0]);
    for (const off of [encodeExecSpec({ ...BASE, seccompProgram: program, unixSockets: null }), encodeExecSpec({ ...BASE, seccompProgram: program })]) {
      expect(u32s(off, 4, 1)[0]! & 0b100_0000).toBe(0);
      expect(off.length).toBe(empty.length - 4);
    }
  });

  it("accepts canonical paths only", () => {
    expect(isCanonicalSocketPath("/run/docker.sock")).toBe(true);
    expect(isCanonicalSocketPath("/a/.b/..c/b..")).toBe(true);
    for (const bad of ["", "/", "a/b", "//a", "/a//b", "/a/", "/a/./b", "/a/../b", "/..", "/."]) expect(isCanonicalSocketPath(bad), bad).toBe(false);
  });

  const program = new Uint8Array(8);
  const invalidUnix: [string, ExecSpec, string][] = [
    ["unixSockets without a seccomp program", { ...BASE, unixSockets: { allow: [] } }, "unixSockets needs a seccompProgram (mediation without the main filter is not sound)"],
    ["a relative socket path", { ...BASE, seccompProgram: program, unixSockets: { allow: ["run/x.sock"] } }, 'unixSockets.allow[0] must be an absolute canonical path (no "." or ".." components, no "//", no trailing "/"), got "run/x.sock"'],
    ["a socket path with ..", { ...BASE, seccompProgram: program, unixSockets: { allow: ["/a", "/run/../x.sock"] } }, 'unixSockets.allow[1] must be an absolute canonical path (no "." or ".." components, no "//", no trailing "/"), got "/run/../x.sock"'],
    ["a socket path with a trailing /", { ...BASE, seccompProgram: program, unixSockets: { allow: ["/run/"] } }, "unixSockets.allow[0] must be an absolute canonical path"],
    ["a NUL in a socket path", { ...BASE, seccompProgram: program, unixSockets: { allow: ["/a\0b"] } }, "unixSockets.allow[0] contains a NUL byte"],
    ["an overlong socket path", { ...BASE, seccompProgram: program, unixSockets: { allow: [`/${"a".repeat(4095)}`] } }, "unixSockets.allow[0] is longer than 4095 bytes"],
    ["duplicate socket paths", { ...BASE, seccompProgram: program, unixSockets: { allow: ["/a", "/a"] } }, "unixSockets.allow contains duplicates"],
    ["more than 1024 socket paths", { ...BASE, seccompProgram: program, unixSockets: { allow: Array.from({ length: 1025 }, (_, i) => `/s${i}`) } }, "unixSockets.allow has more than 1024 entries"],
    ["a non-array allowlist", { ...BASE, seccompProgram: program, unixSockets: { allow: "/a" as unknown as string[] } }, "unixSockets.allow must be an array of paths"],
    ["a non-string socket path", { ...BASE, seccompProgram: program, unixSockets: { allow: [7 as unknown as string] } }, "unixSockets.allow[0] must be an absolute canonical path"],
  ];
  it.each(invalidUnix)("rejects %s", (_label, spec, message) => {
    expect(() => encodeExecSpec(spec)).toThrow(ExecSpecEncodeError);
    expect(() => encodeExecSpec(spec)).toThrow(message);
  });

  it.each(invalid)("rejects %s", (_label, spec, message) => {
    expect(() => encodeExecSpec(spec)).toThrow(ExecSpecEncodeError);
    expect(() => encodeExecSpec(spec)).toThrow(message);
  });

  it("prefixes errors with 'invalid exec spec:'", () => {
    expect(() => encodeExecSpec({ ...BASE, keepFds: [1] })).toThrow(/^invalid exec spec: keepFds\[0\]/);
  });
});
