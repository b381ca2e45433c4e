// Tests for reading and parsing one config file: syntax errors, size guard, encoding, origins.
import { describe, expect, it } from "vitest";
import { loadTomlFile, MAX_CONFIG_BYTES, parseTomlText, readConfigText } from "../../src/config/toml-load.js";
import { originAt } from "../../src/config/tree.js";
import { expectCordonError, makeFixture } from "./helpers.js";

describe("loadTomlFile", () => {
  it("gives every value a file:line:column origin", () => {
    const fx = makeFixture({ "c.toml": '# comment\n[permissions.p.network]\nenabled = true\n' });
    const tree = loadTomlFile(fx.path("c.toml"));
    expect(originAt(tree, ["permissions", "p", "network", "enabled"])).toEqual({ kind: "file", file: fx.path("c.toml"), line: 3, column: 1 });
    expect(originAt(tree, ["permissions", "p"])).toMatchObject({ line: 2 });
  });

  it("maps a TOML syntax error to E_TOML_SYNTAX with file, line and column and no code frame", () => {
    const fx = makeFixture({ "bad.toml": 'a = 1\nb = "unterminated' });
    const error = expectCordonError(() => loadTomlFile(fx.path("bad.toml")), "E_TOML_SYNTAX");
    expect(error.message).toContain(`${fx.path("bad.toml")}:2:`);
    expect(error.message).toContain("column 5");
    expect(error.message).toContain("unfinished string");
    expect(error.message).not.toContain("^");
    expect(error.origin).toEqual({ kind: "file", file: fx.path("bad.toml"), line: 2, column: 5 });
  });

  it("reports a duplicate key as a syntax error at its line", () => {
    const fx = makeFixture({ "dup.toml": "[permissions.p]\ndescription = 'a'\ndescription = 'b'\n" });
    const error = expectCordonError(() => loadTomlFile(fx.path("dup.toml")), "E_TOML_SYNTAX");
    expect(error.message).toContain(`${fx.path("dup.toml")}:3:`);
  });

  it("refuses a file over 1 MiB with a clear message, and accepts one just under", () => {
    const fx = makeFixture();
    const filler = `# ${"x".repeat(MAX_CONFIG_BYTES)}\n`;
    const big = fx.write("big.toml", filler);
    const error = expectCordonError(() => readConfigText(big), "E_IO");
    expect(error.message).toContain(big);
    expect(error.message).toContain("larger than 1048576 bytes");
    const ok = fx.write("ok.toml", `# ${"x".repeat(MAX_CONFIG_BYTES - 10)}\na = 1\n`);
    expect(loadTomlFile(ok).entries.get("a")).toMatchObject({ value: 1 });
  });

  it("refuses non-UTF-8 input naming the first bad line", () => {
    const fx = makeFixture();
    const file = fx.write("latin1.toml", Buffer.concat([Buffer.from('a = "ok"\nb = "caf'), Buffer.from([0xe9]), Buffer.from('"\n')]));
    const error = expectCordonError(() => loadTomlFile(file), "E_TOML_SYNTAX");
    expect(error.message).toBe(`${file}:2: file is not valid UTF-8 text (TOML files must be UTF-8)`);
  });

  it("accepts a UTF-8 byte order mark and multi-byte text", () => {
    const fx = makeFixture();
    const file = fx.write("bom.toml", "\uFEFFdescription = \"caf\u00e9 \u2713\"\nx = 1\n");
    const tree = loadTomlFile(file);
    expect(tree.entries.get("description")).toMatchObject({ value: "caf\u00e9 \u2713" });
    expect(originAt(tree, ["x"])).toMatchObject({ line: 2, column: 1 });
  });

  it("reports missing files and directories as E_IO naming the file", () => {
    const fx = makeFixture({ "dir/": "" });
    expect(expectCordonError(() => loadTomlFile(fx.path("missing.toml")), "E_IO").message).toBe(`${fx.path("missing.toml")}: cannot read file: no such file`);
    expect(expectCordonError(() => loadTomlFile(fx.path("dir")), "E_IO").message).toContain("is a directory");
  });

  it("parseTomlText keeps keys like __proto__ as plain keys", () => {
    const tree = parseTomlText('[permissions."__proto__"]\ndescription = "x"\n', "/virtual.toml");
    const permissions = tree.entries.get("permissions");
    expect(permissions?.kind).toBe("table");
    expect(({} as Record<string, unknown>)["description"]).toBeUndefined();
  });

  it("refuses nesting deeper than 32 levels without overflowing the stack, naming the line", () => {
    const fx = makeFixture();
    const deep = fx.write("deep.toml", `\n[permissions.p${".a".repeat(100000)}]\nx = 1\n`);
    const error = expectCordonError(() => loadTomlFile(deep), "E_SCHEMA");
    expect(error.message).toMatch(new RegExp(`^${deep.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: key permissions\\.p(\\.a)+: tables and arrays are nested more than 32 levels deep$`));
    const inline = fx.write("inline.toml", `a = ${"{ b = ".repeat(40)}1${" }".repeat(40)}\n`);
    expectCordonError(() => loadTomlFile(inline), "E_SCHEMA");
    const ok = fx.write("ok.toml", `a = ${"{ b = ".repeat(20)}1${" }".repeat(20)}\n`);
    expect(() => loadTomlFile(ok)).not.toThrow();
  });

  it("handles a large (just under 1 MiB) document with many keys", () => {
    const fx = makeFixture();
    const lines = ["[permissions.p.filesystem]"];
    for (let i = 0; lines.join("\n").length < MAX_CONFIG_BYTES - 100; i++) lines.push(...Array.from({ length: 1000 }, (_, j) => `"/p/${i * 1000 + j}" = "read"`));
    while (lines.join("\n").length >= MAX_CONFIG_BYTES) lines.pop();
    const file = fx.write("large.toml", lines.join("\n"));
    const tree = loadTomlFile(file);
    const last = lines[lines.length - 1]!.split(" = ")[0]!.slice(1, -1);
    expect(originAt(tree, ["permissions", "p", "filesystem", last])).toMatchObject({ line: lines.length });
  });
});
