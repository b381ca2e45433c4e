// cordon-exec run for real: CLI and spec validation (fail closed, 125, command never runs), exec/126/127,
// environment, fd hygiene, session, keyring, capability and no_new_privs state — as root and unprivileged.
import { openSync, closeSync, writeFileSync, chmodSync, readFileSync, existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeExecSpec } from "../../src/exec-spec-encode.js";
import type { ExecSpec } from "../../src/exec-spec.js";
import { BASE_SPEC, createWorkspace, isLinux, isRoot, landlockSpec, ROOT, runHelper, seccompProgram, TEST_USERS, UNPRIVILEGED, wire, type Workspace } from "./harness.js";

let ws: Workspace;
beforeAll(() => {
  if (isLinux) ws = createWorkspace();
});
afterAll(() => ws?.cleanup());

describe.runIf(isLinux)("cordon-exec command line", () => {
  const cases: [string, string[], RegExp][] = [
    ["no arguments", [], /^cordon-exec: usage: cordon-exec --spec-fd N \[--bridge PORT=UNIXPATH\[,\.\.\.\]\] -- CMD \[ARGS\.\.\.\]: Invalid argument\n$/],
    ["missing command", ["--spec-fd", "3", "--"], /usage: cordon-exec --spec-fd N \[--bridge PORT=UNIXPATH\[,\.\.\.\]\] -- CMD/],
    ["missing --", ["--spec-fd", "3", "true", "x"], /usage: cordon-exec --spec-fd N \[--bridge PORT=UNIXPATH\[,\.\.\.\]\] -- CMD/],
    ["unknown option", ["--fd", "3", "--", "true"], /usage: cordon-exec --spec-fd N \[--bridge PORT=UNIXPATH\[,\.\.\.\]\] -- CMD/],
    ["non-numeric fd", ["--spec-fd", "x3", "--", "true"], /^cordon-exec: --spec-fd must be a file descriptor number >= 3, got "x3": Invalid argument\n$/],
    ["fd below 3", ["--spec-fd", "0", "--", "true"], /--spec-fd must be a file descriptor number >= 3, got "0"/],
    ["signed fd", ["--spec-fd", "+3", "--", "true"], /got "\+3"/],
    ["fd with leading zero", ["--spec-fd", "03", "--", "true"], /got "03"/],
  ];
  it.each(cases)("%s → 125 with a usage message", async (_label, helperArgs, message) => {
    const marker = ws.file(`cli-${Math.random()}`);
    const result = await runHelper({ spec: BASE_SPEC, command: [], helperArgs: helperArgs.map((a) => (a === "true" ? ws.probe : a)) });
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(message);
    expect(existsSync(marker)).toBe(false);
  });

  it("control: a well-formed invocation runs the command", async () => {
    const marker = ws.file("cli-control");
    const result = await runHelper({ spec: BASE_SPEC, command: [ws.probe, "write", marker] });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(readFileSync(marker, "utf8")).toBe("written\n");
  });

  it("reports an fd that is not open", async () => {
    const result = await runHelper({ spec: BASE_SPEC, command: [], helperArgs: ["--spec-fd", "9", "--", ws.probe, "fds"] });
    expect(result.code).toBe(125);
    expect(result.stderr).toBe("cordon-exec: reading the spec from fd 9: Bad file descriptor\n");
  });
});

describe.runIf(isLinux)("cordon-exec rejects malformed specs (125, command never runs)", () => {
  const good = encodeExecSpec(BASE_SPEC);
  const path = "/usr";
  const malformed: [string, Uint8Array, string][] = [
    ["empty input", new Uint8Array(0), "truncated header"],
    ["bad magic", wire("CDX2", 0, 0), "bad magic (not a cordon exec spec v1)"],
    ["truncated flags", wire("CDX1", new Uint8Array([0, 0])), "truncated flags"],
    ["unknown flag bits", wire("CDX1", 1 << 9, 0), "unknown flag bits"],
    ["trailing byte", new Uint8Array([...good, 0]), "trailing bytes after the spec"],
    ["missing keep-fd count", wire("CDX1", 0), "keep-fd count out of range"],
    ["keep fd below 3", wire("CDX1", 0, 1, 2), "keep-fd out of range (3..2^20)"],
    ["keep fds not increasing", wire("CDX1", 0, 2, 7, 5), "keep-fds must be strictly increasing"],
    ["landlock minAbi 0", wire("CDX1", 4, 0, 0, 0, 0), "landlock minimum ABI out of range"],
    ["unknown landlock flag bits", wire("CDX1", 4, 1, 1 << 7, 0, 0), "unknown landlock flag bits"],
    ["bad rights code", wire("CDX1", 4, 1, 0, 1, 3, path.length, path, 0), "landlock rule rights must be 1 (read) or 2 (write)"],
    ["relative rule path", wire("CDX1", 4, 1, 0, 1, 1, 3, "usr", 0), "landlock rule path is not absolute"],
    ["rule path with NUL", wire("CDX1", 4, 1, 0, 1, 1, 5, "/u\0sr", 0), "landlock rule path is truncated, empty, too long or contains NUL"],
    ["rule path length past the end", wire("CDX1", 4, 1, 0, 1, 1, 99, path), "landlock rule path is truncated, empty, too long or contains NUL"],
    ["empty rule path", wire("CDX1", 4, 1, 0, 1, 1, 0, 0), "landlock rule path is truncated, empty, too long or contains NUL"],
    ["port 0", wire("CDX1", 4, 1, 1, 0, 1, 0, 0), "TCP port out of range"],
    ["port 65536", wire("CDX1", 4, 1, 1, 0, 1, 65536, 0), "TCP port out of range"],
    ["ports not increasing", wire("CDX1", 4, 1, 1, 0, 2, 443, 80, 0), "TCP ports must be strictly increasing"],
    ["seccomp length not a multiple of 8", wire("CDX1", 8, 12, new Uint8Array(12), 0), "seccomp program length is not a multiple of 8"],
    ["seccomp program too long", wire("CDX1", 8, 4097 * 8), "seccomp program length out of range"],
    ["truncated seccomp program", wire("CDX1", 8, 16, new Uint8Array(8)), "truncated seccomp program"],
    ["env entry without =", wire("CDX1", 16, 0, 1, 3, "ABC"), "environment entry is not NAME=value"],
    ["env entry with empty name", wire("CDX1", 16, 0, 1, 2, "=x"), "environment entry is not NAME=value"],
    ["env count past the end", wire("CDX1", 16, 0, 2, 3, "A=1"), "environment entry is truncated, empty, too long or contains NUL"],
  ];

  for (const user of TEST_USERS) {
    it.each(malformed)(`[${user.name}] %s`, async (_label, bytes, problem) => {
      const marker = ws.file(`malformed-${user.name}-${Math.random()}`);
      const result = await runHelper({ spec: bytes, command: [ws.probe, "write", marker], user });
      expect(result.stderr).toBe(`cordon-exec: malformed spec: ${problem}: Invalid argument\n`);
      expect(result.code).toBe(125);
      expect(existsSync(marker)).toBe(false);
    });
  }

  it("control: the hand-built encoding of an empty spec equals encodeExecSpec's and runs", async () => {
    expect(wire("CDX1", 0, 0)).toEqual(good);
    const marker = ws.file("malformed-control");
    const result = await runHelper({ spec: wire("CDX1", 0, 0), command: [ws.probe, "write", marker] });
    expect(result.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });
});

describe.runIf(isLinux)("cordon-exec runs the command like a shell", () => {
  it("127 with 'command not found' for a name not on PATH", async () => {
    const result = await runHelper({ spec: { ...BASE_SPEC, env: { PATH: ws.dir } }, command: ["cordon-no-such-command"] });
    expect(result.code).toBe(127);
    expect(result.stderr).toBe("cordon-exec: cordon-no-such-command: command not found\n");
  });

  it("127 with strerror for a missing path", async () => {
    const result = await runHelper({ spec: BASE_SPEC, command: [ws.file("missing")] });
    expect(result.code).toBe(127);
    expect(result.stderr).toBe(`cordon-exec: ${ws.file("missing")}: No such file or directory\n`);
  });

  it("126 for a file that is not executable", async () => {
    const file = ws.file("not-executable");
    writeFileSync(file, "#!/bin/sh\necho hi\n", { mode: 0o644 });
    const result = await runHelper({ spec: BASE_SPEC, command: [file], user: UNPRIVILEGED });
    expect(result.code).toBe(126);
    expect(result.stderr).toBe(`cordon-exec: ${file}: Permission denied\n`);
    const searched = await runHelper({ spec: { ...BASE_SPEC, env: { PATH: ws.dir } }, command: ["not-executable"], user: UNPRIVILEGED });
    expect(searched.code).toBe(126);
    expect(searched.stderr).toBe("cordon-exec: not-executable: Permission denied\n");
  });

  it("searches the command in the spec's PATH, not the helper's", async () => {
    const result = await runHelper({ spec: { ...BASE_SPEC, env: { PATH: `/nonexistent:${ws.dir}` } }, command: ["probe", "sid"], env: { PATH: "/nonexistent" } });
    expect(result).toMatchObject({ code: 0, stdout: "session-leader 0\n" });
    const control = await runHelper({ spec: { ...BASE_SPEC, env: { PATH: "/nonexistent" } }, command: ["probe", "sid"], env: { PATH: ws.dir } });
    expect(control.code).toBe(127);
  });

  it("runs a script without #! through /bin/sh (as execvp does)", async () => {
    const script = ws.file("plain-script");
    writeFileSync(script, "echo from-sh \"$1\"\n", { mode: 0o755 });
    const result = await runHelper({ spec: { ...BASE_SPEC, env: { PATH: "/usr/bin:/bin" } }, command: [script, "arg"] });
    expect(result).toMatchObject({ code: 0, stdout: "from-sh arg\n" });
  });

  it("passes the command exactly the spec's environment; the helper's own env does not leak", async () => {
    const result = await runHelper({
      spec: { ...BASE_SPEC, env: { A: "1", "WITH SPACE": "x=y", EMPTY: "" } },
      command: [ws.probe, "env"],
      env: { LD_PRELOAD: "/nonexistent.so", SECRET_TOKEN: "s3cr3t", PATH: "/usr/bin" },
    });
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").filter(Boolean).sort()).toEqual(["A=1", "EMPTY=", "WITH SPACE=x=y"]);
    const control = await runHelper({ spec: BASE_SPEC, command: [ws.probe, "env"], env: { SECRET_TOKEN: "s3cr3t" } });
    expect(control.stdout).toContain("SECRET_TOKEN=s3cr3t");
  });

  it("passes an empty environment when the spec's env is {}", async () => {
    const result = await runHelper({ spec: { ...BASE_SPEC, env: {} }, command: [ws.probe, "env"], env: { X: "1" } });
    expect(result).toMatchObject({ code: 0, stdout: "" });
  });
});

describe.runIf(isLinux)("cordon-exec confinement state", () => {
  for (const user of TEST_USERS) {
    describe(user.name, () => {
      it("closes inherited fds except 0-2 and keepFds, and the spec fd (ENV-07, FS-17)", async () => {
        const dirFd = openSync(ws.dir, "r");
        const fileFd = openSync(ws.probe, "r");
        try {
          const spec: ExecSpec = { ...BASE_SPEC, keepFds: [5] };
          const result = await runHelper({ spec, command: [ws.probe, "fds"], extraFds: [dirFd, fileFd], user });
          expect(result).toMatchObject({ code: 0, stdout: "fds 0 1 2 5\n" });
          const closeAll = await runHelper({ spec: BASE_SPEC, command: [ws.probe, "fds"], extraFds: [dirFd, fileFd], user });
          expect(closeAll.stdout).toBe("fds 0 1 2\n");
        } finally {
          closeSync(dirFd);
          closeSync(fileFd);
        }
      });

      it("control: without the helper the probe sees the extra fds", async () => {
        const dirFd = openSync(ws.dir, "r");
        try {
          const result = await runHelper({ spec: BASE_SPEC, command: [ws.probe, "fds"], direct: true, extraFds: [dirFd], user });
          // Anything else the test runner leaked (this machine's harness leaks a pipe at fd 251) also shows up.
          expect(result.stdout).toMatch(/^fds 0 1 2 3 4( \d+)*\n$/);
        } finally {
          closeSync(dirFd);
        }
      });

      it("refuses a kept fd that is not open", async () => {
        const marker = ws.file(`keepfd-${user.name}`);
        const result = await runHelper({ spec: { ...BASE_SPEC, keepFds: [42] }, command: [ws.probe, "write", marker], user });
        expect(result.code).toBe(125);
        expect(result.stderr).toBe("cordon-exec: kept fd 42 is not open: Bad file descriptor\n");
        expect(existsSync(marker)).toBe(false);
      });

      it("sets NoNewPrivs, Seccomp 2 and empty capability sets (FC-08, FS-29)", async () => {
        const spec: ExecSpec = { ...BASE_SPEC, seccompProgram: seccompProgram({ network: "none", allowUnixSockets: false }) };
        const result = await runHelper({ spec, command: [ws.probe, "status"], user });
        expect(result.code).toBe(0);
        const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)$`, "m").exec(result.stdout)?.[1];
        expect(field("NoNewPrivs")).toBe("1");
        expect(field("Seccomp")).toBe("2");
        for (const set of ["CapInh", "CapPrm", "CapEff", "CapAmb"]) expect(field(set), set).toBe("0000000000000000");
        if (user === ROOT) expect(field("CapBnd")).toBe("0000000000000000");
        const noFilter = await runHelper({ spec: BASE_SPEC, command: [ws.probe, "status"], user });
        expect(/^Seccomp:\s*0$/m.test(noFilter.stdout)).toBe(true);
        expect(/^NoNewPrivs:\s*1$/m.test(noFilter.stdout)).toBe(true);
      });

      it("starts a new session when asked (TIOCSTI defence)", async () => {
        const result = await runHelper({ spec: { ...BASE_SPEC, newSession: true }, command: [ws.probe, "sid"], user });
        expect(result).toMatchObject({ code: 0, stdout: "session-leader 1\n" });
        const control = await runHelper({ spec: BASE_SPEC, command: [ws.probe, "sid"], user });
        expect(control.stdout).toBe("session-leader 0\n");
      });

      it("hides the caller's session keyring when newKeyring is set (PROC-10)", async () => {
        const wrapper = [ws.probe, "withkey", "cordon-test-secret"];
        const hidden = await runHelper({ spec: { ...BASE_SPEC, newKeyring: true }, command: [ws.probe, "findkey", "cordon-test-secret"], wrapper, user });
        expect(hidden.stdout).toBe("findkey error 126\n"); // ENOKEY
        const control = await runHelper({ spec: BASE_SPEC, command: [ws.probe, "findkey", "cordon-test-secret"], wrapper, user });
        expect(control).toMatchObject({ code: 0, stdout: "findkey ok\n" });
      });
    });
  }

  it.runIf(isRoot)("control: root without the helper holds capabilities", async () => {
    const result = await runHelper({ spec: BASE_SPEC, command: [ws.probe, "status"], direct: true });
    expect(/^CapEff:\s*0000000000000000$/m.test(result.stdout)).toBe(false);
  });
});
