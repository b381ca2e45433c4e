// Tests for compileFilesystem: keys, symbolic roots, nesting, globs and every error message (spec 4.1-4.5).
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CordonError } from "../../src/errors.js";
import { compileFilesystem, MINIMAL_READ_ROOTS } from "../../src/filesystem/compile.js";
import type { FilesystemTable } from "../../src/schema.js";
import { CONFIG, ctx } from "./helpers.js";

const compile = (table: Record<string, unknown>, overrides = {}) => compileFilesystem(table as FilesystemTable, ctx(overrides));
const rulesOf = (table: Record<string, unknown>, overrides = {}) => compile(table, overrides).rules.map((r) => `${r.path}=${r.access}`);
const globsOf = (table: Record<string, unknown>, overrides = {}) => compile(table, overrides).denyGlobs.map((g) => `${g.base} :: ${g.pattern}`);

function compileError(table: Record<string, unknown>, overrides = {}): CordonError {
  try {
    compile(table, overrides);
  } catch (e) {
    expect(e).toBeInstanceOf(CordonError);
    return e as CordonError;
  }
  throw new Error("expected compileFilesystem to throw");
}

describe("keys (4.1)", () => {
  it("absolute paths are normalized", () => {
    expect(rulesOf({ "/repo/": "write", "/repo//a/./b/../c": "read", "/srv/x": "none" })).toEqual(["/repo=write", "/repo/a/c=read", "/srv/x=deny"]);
  });
  it("~ and ~/… expand against home", () => {
    expect(rulesOf({ "~": "read", "~/code": "write" })).toEqual(["/home/u=read", "/home/u/code=write"]);
  });
  it("anything else relative is an error naming the key, its origin and key path", () => {
    for (const key of ["rel/path", "./x", "~root/x", "x", "C:\\x"]) {
      const e = compileError({ [key]: "read" });
      expect(e.code).toBe("E_PATH");
      expect(e.message).toContain(`filesystem path \`${key}\` must be absolute, use \`~/...\`, or start with \`:\``);
      expect(e.message).toContain(`${CONFIG}:11`);
      expect(e.keyPath).toEqual(["filesystem", key]);
    }
  });
  it("keyPrefix (from the config layer) is used in error key paths", () => {
    const e = compileError({ "rel": "read" }, { keyPrefix: ["permissions", "dev", "filesystem"] });
    expect(e.keyPath).toEqual(["permissions", "dev", "filesystem", "rel"]);
    expect(e.message).toContain('key permissions.dev.filesystem.rel');
  });
  it("rejects NUL bytes, empty and over-long keys and subpaths", () => {
    expect(compileError({ "/a\0b": "read" }).message).toContain("contains a NUL byte");
    expect(compileError({ "": "read" }).message).toContain("filesystem path must not be empty");
    expect(compileError({ ["/" + "a".repeat(5000)]: "read" }).message).toContain("longer than 4096");
    expect(compileError({ ":workspace_roots": { "a\0": "read" } }).message).toContain("subpath");
    expect(compileError({ ":workspace_roots": { "": "read" } }).message).toContain("filesystem subpath must not be empty");
  });
  it("Windows drive paths and ~\\ on windows", () => {
    const win = { platform: "windows", home: "C:/Users/u", cwd: "C:/work/repo", workspaceRoots: ["C:/work/repo"], tmpdir: "C:\\Temp" };
    expect(rulesOf({ "C:\\work\\repo\\docs": "read", "d:/data": "write", "~\\code": "write", ":root": "read", ":tmpdir": "write", ":slash_tmp": "write" }, win)).toEqual([
      "C:/work/repo/docs=read",
      "D:/data=write",
      "C:/Users/u/code=write",
      "C:/=read",
      "C:/Temp=write",
    ]);
    expect(compileError({ "/posix/style": "read" }, win).message).toContain("must be absolute");
    expect(compileError({ ":workspace_roots": { "c:x": "read" } }, win).message).toContain("must be a descendant path");
  });
});

describe("symbolic roots", () => {
  it(":root is /, :slash_tmp is /tmp, :tmpdir is $TMPDIR", () => {
    expect(rulesOf({ ":root": "read", ":slash_tmp": "write", ":tmpdir": "write" })).toEqual(["/=read", "/tmp=write", "/tmp/user-tmp=write"]);
  });
  it(":tmpdir grants nothing when TMPDIR is unset or relative", () => {
    expect(rulesOf({ ":tmpdir": "write" }, { tmpdir: undefined })).toEqual([]);
    expect(rulesOf({ ":tmpdir": "write" }, { tmpdir: "relative/tmp" })).toEqual([]);
  });
  it(":workspace_roots expands to every root; :project_roots is an alias", () => {
    const roots = { workspaceRoots: ["/repo", "/home/u/other"] };
    expect(rulesOf({ ":workspace_roots": "write" }, roots)).toEqual(["/repo=write", "/home/u/other=write"]);
    expect(rulesOf({ ":project_roots": "read" }, roots)).toEqual(["/repo=read", "/home/u/other=read"]);
    expect(rulesOf({ ":workspace_roots": "write" }, { workspaceRoots: [] })).toEqual([]);
    const r = compile({ ":project_roots": "write" }).rules[0]!;
    expect(r.symbolic).toBe(":workspace_roots");
    expect(r.entry).toBe(":project_roots");
  });
  it(":minimal on linux: the existing runtime roots, read, minimal=true", () => {
    const out = compile({ ":minimal": "read" });
    expect(out.minimal).toBe(true);
    const expected = MINIMAL_READ_ROOTS.linux.filter((p) => existsSync(p));
    expect(expected.length).toBeGreaterThan(0);
    expect(out.rules.map((r) => r.path)).toEqual(expected);
    expect(out.rules.every((r) => r.access === "read" && r.symbolic === ":minimal")).toBe(true);
  });
  it(":minimal on macOS and Windows: the documented system roots", () => {
    expect(compile({ ":minimal": "read" }, { platform: "macos" }).rules.map((r) => r.path)).toEqual([...MINIMAL_READ_ROOTS.macos]);
    const win = { platform: "windows", cwd: "C:/w", home: "C:/Users/u", workspaceRoots: ["C:/w"] };
    expect(compile({ ":minimal": "read" }, win).rules.map((r) => r.path)).toEqual(["C:/Windows", "C:/Program Files", "C:/Program Files (x86)"]);
  });
  it(":minimal write is narrowed to read with a warning; deny denies the roots and is not minimal", () => {
    const w = compile({ ":minimal": "write" });
    expect(w.minimal).toBe(true);
    expect(w.rules.every((r) => r.access === "read")).toBe(true);
    expect(w.warnings[0]!.message).toContain("only grants read");
    const d = compile({ ":minimal": "deny" });
    expect(d.minimal).toBe(false);
    expect(d.rules.every((r) => r.access === "deny")).toBe(true);
    expect(compile({}).minimal).toBe(false);
  });
  it("unknown :token with read/write is ignored with a warning", () => {
    const out = compile({ ":future": "read", ":other": { "x": "write" } });
    expect(out.rules).toEqual([]);
    expect(out.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining("unknown filesystem token `:future` ignored"),
      expect.stringContaining("unknown filesystem token `:other` ignored"),
    ]);
    expect(out.warnings[0]!.origin).toEqual({ kind: "file", file: CONFIG, line: 11, column: ":future".length });
  });
  it("unknown :token with deny (or none) is an error", () => {
    for (const table of [{ ":future": "deny" }, { ":future": "none" }, { ":future": { "x": "read", "y": "deny" } }]) {
      const e = compileError(table);
      expect(e.code).toBe("E_PATH");
      expect(e.message).toContain("unknown filesystem token `:future` with `deny` access; ignoring it would widen access");
    }
  });
  it("nesting under :tmpdir, :slash_tmp, :root, :minimal is an error", () => {
    for (const token of [":tmpdir", ":slash_tmp", ":root", ":minimal"]) {
      const e = compileError({ [token]: { "x": "read" } });
      expect(e.code).toBe("E_PATH");
      expect(e.message).toContain(`filesystem path \`${token}\` does not support nested entries`);
    }
  });
});

describe("nested tables", () => {
  it("under :workspace_roots, absolute paths and ~/…; . is the base", () => {
    expect(rulesOf({ ":workspace_roots": { ".": "write", "docs": "read", "docs/private": "deny" }, "/srv": { ".": "read", "a/b": "write" }, "~/x": { "y": "read" } })).toEqual([
      "/repo=write",
      "/repo/docs=read",
      "/repo/docs/private=deny",
      "/srv=read",
      "/srv/a/b=write",
      "/home/u/x/y=read",
    ]);
    const nested = compile({ ":workspace_roots": { "docs": "read" } }).rules[0]!;
    expect(nested.entry).toBe(":workspace_roots docs");
    expect(nested.origin).toEqual({ kind: "file", file: CONFIG, line: 12, column: ":workspace_roots/docs".length });
  });
  it("subpaths must be descendants without . or .. components", () => {
    for (const sub of ["../x", "a/../b", "./a", "a/.", "/abs", "a//b", "a/", "..", "../**/*.env"]) {
      const e = compileError({ ":workspace_roots": { [sub]: "deny" } });
      expect(e.code).toBe("E_PATH");
      expect(e.message).toContain(`filesystem subpath \`${sub}\` must be a descendant path without \`.\` or \`..\` components`);
      expect(e.keyPath).toEqual(["filesystem", ":workspace_roots", sub]);
    }
  });
  it("a subpath is validated even when there are no workspace roots", () => {
    expect(() => compile({ ":workspace_roots": { "../x": "read" } }, { workspaceRoots: [] })).toThrow(/descendant path/);
  });
  it("a nested table's key must be an exact path", () => {
    const e = compileError({ "/repo/*": { "x": "deny" } });
    expect(e.code).toBe("E_GLOB");
    expect(e.message).toContain("has nested entries, so it must be an exact path");
    expect(compileError({ "rel": { "x": "read" } }).message).toContain("must be absolute");
  });
});

describe("globs (4.5)", () => {
  it("deny globs become DenyGlobs with their literal base", () => {
    expect(globsOf({ "/repo/**/*.env": "deny", "~/.ssh/id_*": "deny", ":workspace_roots": { "**/*.pem": "deny", "secrets/**": "deny", "a/b/*.key": "none" } })).toEqual([
      "/repo :: /repo/**/*.env",
      "/home/u/.ssh :: /home/u/.ssh/id_*",
      "/repo :: /repo/**/*.pem",
      "/repo/secrets :: /repo/secrets/**",
      "/repo/a/b :: /repo/a/b/*.key",
    ]);
  });
  it("scoped globs apply to every workspace root", () => {
    expect(globsOf({ ":workspace_roots": { "**/*.env": "deny" } }, { workspaceRoots: ["/repo", "/w2"] })).toEqual(["/repo :: /repo/**/*.env", "/w2 :: /w2/**/*.env"]);
  });
  it("a literal base with glob characters is escaped in the pattern", () => {
    const g = compile({ ":workspace_roots": { "**/*.env": "deny" } }, { workspaceRoots: ["/w/[x]{y}"] }).denyGlobs[0]!;
    expect(g.base).toBe("/w/[x]{y}");
    expect(g.pattern).toBe("/w/\\[x\\]\\{y\\}/**/*.env");
    const h = compile({ "~/**/*.env": "deny" }, { home: "/home/a*b" }).denyGlobs[0]!;
    expect(h.base).toBe("/home/a*b");
    expect(h.pattern).toBe("/home/a\\*b/**/*.env");
    expect(rulesOf({ "~/x": "read" }, { home: "/home/a*b" })).toEqual(["/home/a*b/x=read"]);
  });
  it("a trailing /** on read/write is stripped to the subtree", () => {
    expect(rulesOf({ "~/ws/src/**": "write", "/data/**": "read", ":workspace_roots": { "vendor/**": "read", "**": "write" } })).toEqual([
      "/home/u/ws/src=write",
      "/data=read",
      "/repo/vendor=read",
      "/repo=write",
    ]);
  });
  it("any other glob with read/write is an error", () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ "~/ws/*/x": "read" }, "~/ws/*/x", "read"],
      [{ "/repo/**/x": "write" }, "/repo/**/x", "write"],
      [{ "/repo/*.txt/**": "read" }, "/repo/*.txt/**", "read"],
      [{ ":workspace_roots": { "src/*.txt": "write" } }, "src/*.txt", "write"],
      [{ ":workspace_roots": { "{a,b}": "read" } }, "{a,b}", "read"],
      [{ "/r/[ab]": "read" }, "/r/[ab]", "read"],
    ];
    for (const [table, shown, access] of cases) {
      const e = compileError(table);
      expect(e.code).toBe("E_GLOB");
      expect(e.message).toContain(`filesystem glob path \`${shown}\` only supports \`deny\` access; use an exact path or trailing \`/**\` for \`${access}\` subtree access`);
    }
  });
  it("escaped or unclosed glob characters denote an exact path", () => {
    expect(rulesOf({ "/repo/[abc": "read", "/repo/a\\*b": "deny", "/repo/{x}": "write" })).toEqual(["/repo/[abc=read", "/repo/a*b=deny", "/repo/{x}=write"]);
    expect(globsOf({ "/repo/[abc": "deny" })).toEqual([]);
  });
  it("a deny glob needs a non-root literal prefix", () => {
    for (const key of ["/**/*.env", "/*.envx", "/{a,b}/x"]) {
      const e = compileError({ [key]: "deny" });
      expect(e.code).toBe("E_GLOB");
      expect(e.message).toContain(`filesystem glob path \`${key}\` has no literal directory prefix below \`/\``);
    }
    expect(compileError({ ":workspace_roots": { "**/*.env": "deny" } }, { workspaceRoots: ["/"] }).message).toContain("no literal directory prefix");
    expect(compileError({ "C:/**/*.env": "deny" }, { platform: "windows", cwd: "C:/w", home: "C:/Users/u", workspaceRoots: [] }).message).toContain("below `C:/`");
  });
  it("rejects . and .. after the first glob component, POSIX classes and reversed ranges", () => {
    expect(compileError({ "/repo/*/../x": "deny" }).message).toContain("must not contain `.` or `..` components after its first glob character");
    expect(compileError({ "/repo/[[:alpha:]]": "deny" }).message).toContain("invalid filesystem glob `/repo/[[:alpha:]]`: POSIX character classes");
    expect(compileError({ ":workspace_roots": { "[z-a]": "deny" } }).message).toContain("reversed");
  });
  it("glob_scan_max_depth is carried through; below 1 is an error", () => {
    expect(compile({ glob_scan_max_depth: 3 }).globScanMaxDepth).toBe(3);
    expect(compile({}).globScanMaxDepth).toBeNull();
    expect(compileFilesystem(undefined, ctx()).globScanMaxDepth).toBeNull();
    for (const bad of [0, -1, 1.5]) expect(compileError({ glob_scan_max_depth: bad }).message).toContain("glob_scan_max_depth must be at least 1");
  });
  it("the same pattern from two keys is listed once", () => {
    expect(globsOf({ "/repo/**/*.env": "deny", ":workspace_roots": { "**/*.env": "deny" } })).toEqual(["/repo :: /repo/**/*.env"]);
  });
});

describe("one rule per path", () => {
  it("at the same path deny > write > read, whatever the order", () => {
    expect(rulesOf({ "/repo": "read", ":workspace_roots": "write" })).toEqual(["/repo=write"]);
    expect(rulesOf({ ":workspace_roots": "write", "/repo": "read" })).toEqual(["/repo=write"]);
    expect(rulesOf({ "/repo": "deny", ":workspace_roots": "write" })).toEqual(["/repo=deny"]);
    expect(compile({ "/repo": "read", ":workspace_roots": "write" }).rules[0]!.entry).toBe(":workspace_roots");
  });
  it("paths differing only in case collapse on macOS/Windows, not on Linux", () => {
    expect(rulesOf({ "/Repo": "write", "/repo": "deny" })).toEqual(["/Repo=write", "/repo=deny"]);
    expect(rulesOf({ "/Repo": "write", "/repo": "deny" }, { platform: "macos" })).toEqual(["/repo=deny"]);
  });
});

describe("an empty or missing table", () => {
  it("compiles to nothing", () => {
    expect(compileFilesystem(undefined, ctx())).toEqual({ rules: [], denyGlobs: [], globScanMaxDepth: null, minimal: false, warnings: [] });
  });
});
