// Pure parts of launch: command-line quoting (inverse of CommandLineToArgvW), the launch spec format,
// program resolution (no implicit cmd.exe, no relative PATH entries).
import { describe, expect, it } from "vitest";
import { buildCommandLine, isBatchFile, quoteWindowsArg } from "../src/argv.js";
import { decodeLaunchSpec, encodeLaunchSpec, runnerCommandLine, sortedEnvironment } from "../src/launch-spec.js";
import { resolveProgram } from "../src/program.js";

/** Reference parser: the MSVC/CommandLineToArgvW rules for arguments after the program name. */
function parseArgs(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length) break;
    let arg = "";
    let quoted = false;
    for (; i < line.length; i++) {
      const ch = line[i]!;
      if (ch === "\\") {
        let n = 0;
        while (line[i] === "\\") {
          n++;
          i++;
        }
        if (line[i] === '"') {
          arg += "\\".repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += "\\".repeat(n);
          i--;
        }
      } else if (ch === '"') {
        if (quoted && line[i + 1] === '"') {
          arg += '"';
          i++;
        } else quoted = !quoted;
      } else if ((ch === " " || ch === "\t") && !quoted) break;
      else arg += ch;
    }
    out.push(arg);
  }
  return out;
}

describe("quoteWindowsArg", () => {
  it.each([
    ["plain"],
    [""],
    ["with space"],
    ['quote"inside'],
    ["trailing\\"],
    ["trailing space\\"],
    ['\\\\"mixed\\"'],
    ["C:\\Program Files\\x\\"],
    ["tab\there"],
    ["new\nline"],
    ['"'],
    ["& | < > ^ %PATH%"],
  ])("round-trips %j", (arg) => {
    expect(parseArgs(quoteWindowsArg(arg))).toEqual([arg]);
  });

  it("leaves simple arguments untouched and quotes the empty one", () => {
    expect(quoteWindowsArg("abc")).toBe("abc");
    expect(quoteWindowsArg("")).toBe('""');
  });

  it("builds whole command lines; the program name is quoted without escapes", () => {
    const line = buildCommandLine(["C:\\Program Files\\node\\node.exe", "-e", 'console.log("a b")', ""]);
    expect(line.startsWith('"C:\\Program Files\\node\\node.exe" ')).toBe(true);
    expect(parseArgs(line.slice(line.indexOf('" ') + 2))).toEqual(["-e", 'console.log("a b")', ""]);
    expect(() => buildCommandLine([])).toThrow("empty argv");
    expect(() => buildCommandLine(['a"b'])).toThrow("program name contains a quote");
  });

  it("recognises batch files, trailing dots and spaces included", () => {
    expect(isBatchFile("C:\\x\\run.BAT")).toBe(true);
    expect(isBatchFile("C:\\x\\run.cmd. ")).toBe(true);
    expect(isBatchFile("C:\\x\\run.exe")).toBe(false);
  });
});

describe("launch spec", () => {
  it("round-trips every field, including newlines and colons in values, env sorted case-insensitively", () => {
    const text = encodeLaunchSpec({
      user: "CordonSandboxOffline",
      passwordBlob: "AQID",
      runnerCommandLine: runnerCommandLine("C:\\cordon\\cordon-win-exec.exe", "S-1-5-21-1-2-3-4", ["C:\\bin\\tool.exe", "a b"]),
      cwd: "C:\\Users\\user\\repo",
      env: { b: "2", A: "line1\nline2:x", PATH: "C:\\Windows" },
      parentPid: 123,
    });
    expect(decodeLaunchSpec(text)).toEqual([
      { key: "user", value: "CordonSandboxOffline" },
      { key: "password_blob", value: "AQID" },
      { key: "cmdline", value: '"C:\\cordon\\cordon-win-exec.exe" --run S-1-5-21-1-2-3-4 -- C:\\bin\\tool.exe "a b"' },
      { key: "cwd", value: "C:\\Users\\user\\repo" },
      { key: "parent_pid", value: "123" },
      { key: "env", value: "A=line1\nline2:x" },
      { key: "env", value: "b=2" },
      { key: "env", value: "PATH=C:\\Windows" },
    ]);
  });

  it("rejects names CreateProcess cannot carry and SIDs that are not SIDs", () => {
    expect(() => sortedEnvironment({ "A=B": "x" })).toThrow("invalid environment variable name");
    expect(() => sortedEnvironment({ "": "x" })).toThrow("invalid environment variable name");
    expect(() => runnerCommandLine("x.exe", "S-1-1-0 --evil", ["a"])).toThrow("bad capability SID");
  });
});

describe("resolveProgram", () => {
  const files = new Set(["C:\\Windows\\System32\\cmd.exe", "C:\\tools\\build.bat", "C:\\tools\\readme.txt", "C:\\repo\\local.exe", "C:\\tools\\git.exe"]);
  const isFile = (p: string): boolean => files.has(p);
  const env = { Path: "C:\\Windows\\System32;relative\\dir;\"C:\\tools\"" };

  it("finds a program on PATH, adding .exe", () => {
    expect(resolveProgram("cmd", env, "C:\\repo", isFile)).toEqual({ ok: true, path: "C:\\Windows\\System32\\cmd.exe" });
    expect(resolveProgram("git.exe", env, "C:\\repo", isFile)).toEqual({ ok: true, path: "C:\\tools\\git.exe" });
  });

  it("does not search the working directory for a bare name (only explicit .\\ paths)", () => {
    expect(resolveProgram("local", env, "C:\\repo", isFile)).toEqual({ ok: false, exitCode: 127, message: "local: not found on PATH" });
    expect(resolveProgram(".\\local", env, "C:\\repo", isFile)).toEqual({ ok: true, path: "C:\\repo\\local.exe" });
  });

  it("refuses batch files (126) and non-executables (126); missing is 127", () => {
    const bat = resolveProgram("C:\\tools\\build.bat", env, "C:\\repo", isFile);
    expect(bat.ok).toBe(false);
    if (!bat.ok) {
      expect(bat.exitCode).toBe(126);
      expect(bat.message).toContain("is a batch file; run it explicitly as `cmd.exe /d /c C:\\tools\\build.bat`");
    }
    expect(resolveProgram("C:\\tools\\readme.txt", env, "C:\\repo", isFile)).toMatchObject({ ok: false, exitCode: 126 });
    expect(resolveProgram("C:\\nope\\x.exe", env, "C:\\repo", isFile)).toEqual({ ok: false, exitCode: 127, message: "C:\\nope\\x.exe: not found" });
  });
});
