// computeEnvironment (spec 6): inherit, default excludes, exclude, set, include_only, CORDON_SANDBOX.
import { describe, expect, it } from "vitest";
import { CordonError } from "../src/errors.js";
import { computeEnvironment, environmentPatternMatcher } from "../src/environment.js";
import type { ShellEnvironmentPolicyTable } from "../src/schema.js";

// The host environment of the codex-reference 1.11 experiment, plus a few extra names.
const HOST = {
  API_KEY: "k",
  MY_SECRET_X: "s",
  GH_TOKEN: "t",
  NORMAL: "n",
  LANG: "C.UTF-8",
  USER: "u",
  HOME: "/home/u",
  PATH: "/usr/bin",
} as const;

const names = (policy: ShellEnvironmentPolicyTable | undefined, host: Record<string, string | undefined> = HOST): string[] =>
  Object.keys(computeEnvironment(policy, host, "p")).sort();

describe("codex-reference 1.11 matrix, adapted to cordon's defaults", () => {
  it("default: everything except secret-like names (differs: Codex keeps them)", () => {
    expect(names(undefined)).toEqual(["CORDON_SANDBOX", "HOME", "LANG", "NORMAL", "PATH", "USER"]);
    expect(names({})).toEqual(["CORDON_SANDBOX", "HOME", "LANG", "NORMAL", "PATH", "USER"]);
  });

  it("ignore_default_excludes = true keeps secret-like names", () => {
    expect(names({ ignore_default_excludes: true })).toEqual(["API_KEY", "CORDON_SANDBOX", "GH_TOKEN", "HOME", "LANG", "MY_SECRET_X", "NORMAL", "PATH", "USER"]);
  });

  it("ignore_default_excludes = false (explicit) removes them", () => {
    expect(names({ ignore_default_excludes: false })).toEqual(["CORDON_SANDBOX", "HOME", "LANG", "NORMAL", "PATH", "USER"]);
  });

  it("inherit = core keeps only the core set", () => {
    expect(names({ inherit: "core" })).toEqual(["CORDON_SANDBOX", "HOME", "LANG", "PATH", "USER"]);
  });

  it("inherit = none + set {FOO}: FOO only (no PATH)", () => {
    expect(computeEnvironment({ inherit: "none", set: { FOO: "bar" } }, HOST, "p")).toEqual({ FOO: "bar", CORDON_SANDBOX: "p" });
  });

  it('exclude ["NORM*", "lang"] removes NORMAL and LANG (case-insensitive)', () => {
    expect(names({ exclude: ["NORM*", "lang"] })).toEqual(["CORDON_SANDBOX", "HOME", "PATH", "USER"]);
  });

  it("include_only [PATH, HOME, FOO] + set {FOO, BAR}: FOO HOME PATH (BAR dropped)", () => {
    expect(names({ include_only: ["PATH", "HOME", "FOO"], set: { FOO: "1", BAR: "2" } })).toEqual(["CORDON_SANDBOX", "FOO", "HOME", "PATH"]);
  });
});

describe("inherit", () => {
  it("core is exactly HOME LOGNAME PATH SHELL USER USERNAME LANG TERM TMPDIR TEMP TMP", () => {
    const core = ["HOME", "LOGNAME", "PATH", "SHELL", "USER", "USERNAME", "LANG", "TERM", "TMPDIR", "TEMP", "TMP"];
    const host = Object.fromEntries([...core, "LC_ALL", "EDITOR", "PWD", "DISPLAY", "SSH_AUTH_SOCK"].map((n) => [n, "v"]));
    expect(names({ inherit: "core" }, host)).toEqual([...core, "CORDON_SANDBOX"].sort());
    expect(names({ inherit: "all" }, host)).toContain("SSH_AUTH_SOCK"); // control
  });

  it("core names match case-insensitively (Windows spells PATH as Path)", () => {
    expect(names({ inherit: "core" }, { Path: "C:\\bin", SystemRoot: "C:\\Windows" })).toEqual(["CORDON_SANDBOX", "Path"]);
  });

  it("none starts empty", () => {
    expect(computeEnvironment({ inherit: "none" }, HOST, "ci")).toEqual({ CORDON_SANDBOX: "ci" });
  });

  it("undefined host values are skipped", () => {
    expect(names({}, { A: undefined, B: "b" })).toEqual(["B", "CORDON_SANDBOX"]);
  });
});

describe("default excludes", () => {
  it.each([
    "API_KEY", "api_key", "Github_Token", "GITHUB_TOKEN", "MY_SECRET_X", "aws_secret_access_key", "PGPASSWORD", "password",
    "GOOGLE_APPLICATION_CREDENTIALS", "CREDENTIAL", "KEY", "TOKEN", "KEYBOARD_LAYOUT",
  ])("%s is dropped by default and kept with ignore_default_excludes", (name) => {
    expect(names({}, { [name]: "x", KEEP: "y" })).toEqual(["CORDON_SANDBOX", "KEEP"]);
    expect(names({ ignore_default_excludes: true }, { [name]: "x", KEEP: "y" })).toEqual(["CORDON_SANDBOX", "KEEP", name].sort());
  });

  it.each(["PATH", "HOME", "MONKE_Y_NAME", "TOKE", "SECRE", "PASSWD", "CRED"])("%s is not secret-like", (name) => {
    expect(names({}, { [name]: "x" })).toEqual(["CORDON_SANDBOX", name].sort());
  });
});

describe("exclude, set, include_only", () => {
  it("exclude patterns are anchored to the whole name", () => {
    expect(names({ exclude: ["NORM"] }, { NORMAL: "1", NORM: "2" })).toEqual(["CORDON_SANDBOX", "NORMAL"]);
    expect(names({ exclude: ["*NORM"] }, { ABNORM: "1", NORMAL: "2" })).toEqual(["CORDON_SANDBOX", "NORMAL"]);
  });

  it("? matches exactly one character", () => {
    expect(names({ exclude: ["TMP?"] }, { TMP: "1", TMPX: "2", TMPXY: "3" })).toEqual(["CORDON_SANDBOX", "TMP", "TMPXY"]);
  });

  it("regex metacharacters in patterns are literal", () => {
    expect(names({ exclude: ["A.B", "(X)", "Y+"] }, { "A.B": "1", AXB: "2", "(X)": "3", X: "4", "Y+": "5", YY: "6" })).toEqual(["AXB", "CORDON_SANDBOX", "X", "YY"]);
  });

  it("set runs after the excludes, so a set secret-like name survives", () => {
    expect(computeEnvironment({ set: { NPM_TOKEN: "x" }, exclude: ["NPM_*"] }, {}, "p")).toEqual({ NPM_TOKEN: "x", CORDON_SANDBOX: "p" });
  });

  it("set overrides an inherited value", () => {
    expect(computeEnvironment({ set: { PATH: "/opt/bin" } }, HOST, "p").PATH).toBe("/opt/bin");
  });

  it("include_only patterns are case-insensitive wildcards", () => {
    expect(names({ include_only: ["path", "h*"] })).toEqual(["CORDON_SANDBOX", "HOME", "PATH"]);
  });

  it("an empty include_only keeps everything", () => {
    expect(names({ include_only: [] })).toEqual(names({}));
  });

  it("include_only cannot bring back an excluded variable", () => {
    expect(names({ exclude: ["HOME"], include_only: ["HOME", "PATH"] })).toEqual(["CORDON_SANDBOX", "PATH"]);
  });
});

describe("CORDON_SANDBOX", () => {
  it("is added after include_only and replaces a host value", () => {
    const env = computeEnvironment({ include_only: ["PATH"] }, { ...HOST, CORDON_SANDBOX: "spoofed" }, ":workspace");
    expect(env).toEqual({ PATH: "/usr/bin", CORDON_SANDBOX: ":workspace" });
  });

  it("proxy variables are not added here", () => {
    expect(Object.keys(computeEnvironment(undefined, {}, "p"))).toEqual(["CORDON_SANDBOX"]);
  });
});

describe("invalid set entries", () => {
  it.each([
    ["", "x", 'environment variable name "" is invalid: it must be non-empty and contain no "=" or NUL'],
    ["A=B", "x", 'environment variable name "A=B" is invalid: it must be non-empty and contain no "=" or NUL'],
    ["A\u0000", "x", 'environment variable name "A\\u0000" is invalid: it must be non-empty and contain no "=" or NUL'],
    ["A", "x\u0000y", "environment variable A must be a string without NUL characters"],
  ])("set %j = %j is rejected", (name, value, detail) => {
    let error: unknown;
    try {
      computeEnvironment({ set: { [name]: value } }, {}, "p");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CordonError);
    expect((error as CordonError).code).toBe("E_SCHEMA");
    expect((error as CordonError).keyPath).toEqual(["shell_environment_policy", "set", name]);
    expect((error as CordonError).message.endsWith(`: ${detail}`)).toBe(true);
  });
});

describe("environmentPatternMatcher", () => {
  it("anchors, ignores case, supports * and ?", () => {
    const m = environmentPatternMatcher("*_TOKEN");
    expect(m("github_token")).toBe(true);
    expect(m("GITHUB_TOKEN_X")).toBe(false);
    expect(environmentPatternMatcher("?")("A")).toBe(true);
    expect(environmentPatternMatcher("?")("AB")).toBe(false);
    expect(environmentPatternMatcher("*")("")).toBe(true);
  });
});
