// Tests for the TOML key locator: every key path maps to the line and column where it is written.
import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { locateKeys, pathKey, type KeyPath } from "../../src/config/toml-locate.js";

function at(source: string, path: KeyPath): { line: number; column: number } | undefined {
  // Every source here must be valid TOML: the locator only runs after smol-toml accepted the text.
  parse(source);
  return locateKeys(source).get(pathKey(path));
}

describe("locateKeys", () => {
  it("locates top-level keys, table headers and keys inside tables", () => {
    const src = ['default_permissions = "p"', "", "[permissions.p]", 'extends = ":workspace"', "  [permissions.p.network]", "  enabled = true"].join("\n");
    expect(at(src, ["default_permissions"])).toEqual({ line: 1, column: 1 });
    expect(at(src, ["permissions"])).toEqual({ line: 3, column: 2 });
    expect(at(src, ["permissions", "p"])).toEqual({ line: 3, column: 14 });
    expect(at(src, ["permissions", "p", "extends"])).toEqual({ line: 4, column: 1 });
    expect(at(src, ["permissions", "p", "network"])).toEqual({ line: 5, column: 18 });
    expect(at(src, ["permissions", "p", "network", "enabled"])).toEqual({ line: 6, column: 3 });
  });

  it("handles quoted header segments containing dots, spaces and escapes", () => {
    const src = ['[a."b.c"]', "x = 1", "[ a . 'd e' ]", "y = 2", '["\\u0041\\t"]', "z = 3"].join("\n");
    expect(at(src, ["a", "b.c", "x"])?.line).toBe(2);
    expect(at(src, ["a", "d e", "y"])?.line).toBe(4);
    expect(at(src, ["A\t", "z"])?.line).toBe(6);
    expect(at(src, ["a", "b"])).toBeUndefined();
  });

  it("handles dotted and quoted keys in key/value lines", () => {
    const src = ['[permissions.p.filesystem]', '"/abs/path" = "read"', "'~/lit\\eral' = \"deny\"", 'permissions_extra."x.y" . z = 1'].join("\n");
    expect(at(src, ["permissions", "p", "filesystem", "/abs/path"])).toEqual({ line: 2, column: 1 });
    expect(at(src, ["permissions", "p", "filesystem", "~/lit\\eral"])).toEqual({ line: 3, column: 1 });
    expect(at(src, ["permissions", "p", "filesystem", "permissions_extra", "x.y", "z"])).toEqual({ line: 4, column: 27 });
  });

  it("locates keys inside inline tables, including multi-line (TOML 1.1) and nested ones", () => {
    const src = [
      "[permissions.p.filesystem]",
      '":workspace_roots" = { "." = "write", "**/*.env" = "deny",',
      '   docs = "read", nested = { deep = "read" } }',
      'after = "read"',
    ].join("\n");
    expect(at(src, ["permissions", "p", "filesystem", ":workspace_roots"])).toEqual({ line: 2, column: 1 });
    expect(at(src, ["permissions", "p", "filesystem", ":workspace_roots", "."])).toEqual({ line: 2, column: 24 });
    expect(at(src, ["permissions", "p", "filesystem", ":workspace_roots", "**/*.env"])?.line).toBe(2);
    expect(at(src, ["permissions", "p", "filesystem", ":workspace_roots", "docs"])).toEqual({ line: 3, column: 4 });
    expect(at(src, ["permissions", "p", "filesystem", ":workspace_roots", "nested", "deep"])?.line).toBe(3);
    expect(at(src, ["permissions", "p", "filesystem", "after"])?.line).toBe(4);
  });

  it("is not confused by multi-line strings and arrays that look like keys or headers", () => {
    const src = [
      'description = """',
      "[not.a.header]",
      'fake = "value" \\"""',
      'still = 1 """',
      "literal = '''",
      "[also.not]",
      "x = 2 ''''",
      "roots = [",
      '  "/a", # comment with = and [brackets]',
      '  "/b",',
      "  [1, 2], { k = 1 },",
      "]",
      "quote_end = \"\"\"ends with two quotes\"\"\"\"\"",
      "real = true",
    ].join("\n");
    const positions = locateKeys(src);
    parse(src);
    expect(positions.has(pathKey(["not"]))).toBe(false);
    expect(positions.has(pathKey(["fake"]))).toBe(false);
    expect(positions.has(pathKey(["also"]))).toBe(false);
    expect(at(src, ["literal"])?.line).toBe(5);
    expect(at(src, ["roots"])?.line).toBe(8);
    expect(at(src, ["roots", 0])).toEqual({ line: 9, column: 3 });
    expect(at(src, ["roots", 1])).toEqual({ line: 10, column: 3 });
    expect(at(src, ["roots", 3, "k"])?.line).toBe(11);
    expect(at(src, ["quote_end"])?.line).toBe(13);
    expect(at(src, ["real"])).toEqual({ line: 14, column: 1 });
  });

  it("numbers arrays of tables and resolves sub-tables to the last element", () => {
    const src = ["[[fruit]]", 'name = "apple"', "[fruit.physical]", 'color = "red"', "[[fruit]]", 'name = "banana"', "[[fruit.variety]]", 'name = "x"'].join("\n");
    expect(at(src, ["fruit"])?.line).toBe(1);
    expect(at(src, ["fruit", 0])?.line).toBe(1);
    expect(at(src, ["fruit", 0, "name"])?.line).toBe(2);
    expect(at(src, ["fruit", 0, "physical", "color"])?.line).toBe(4);
    expect(at(src, ["fruit", 1])?.line).toBe(5);
    expect(at(src, ["fruit", 1, "name"])?.line).toBe(6);
    expect(at(src, ["fruit", 1, "variety", 0, "name"])?.line).toBe(8);
  });

  it("handles CRLF line endings, comments, tabs and datetimes with spaces", () => {
    const src = "# header comment\r\n\ta = 1979-05-27 07:32:00Z # c\r\n[t] # c\r\n\tb = 'x' \r\n";
    expect(at(src, ["a"])).toEqual({ line: 2, column: 2 });
    expect(at(src, ["t", "b"])).toEqual({ line: 4, column: 2 });
  });

  it("keeps the first mention of a table (where it is introduced)", () => {
    const src = ["a.b.c = 1", "a.b.d = 2", "[x.y]", "[x]", "z = 1"].join("\n");
    expect(at(src, ["a"])).toEqual({ line: 1, column: 1 });
    expect(at(src, ["a", "b"])).toEqual({ line: 1, column: 3 });
    expect(at(src, ["a", "b", "d"])).toEqual({ line: 2, column: 5 });
    expect(at(src, ["x"])?.line).toBe(3);
    expect(at(src, ["x", "z"])?.line).toBe(5);
  });

  it("distinguishes the string key \"0\" from array index 0", () => {
    const src = ['t = { "0" = 1 }', "arr = [5]"].join("\n");
    expect(at(src, ["t", "0"])?.line).toBe(1);
    expect(at(src, ["t", 0])).toBeUndefined();
    expect(at(src, ["arr", 0])?.line).toBe(2);
  });

  it("stays linear on a large document", () => {
    const lines: string[] = [];
    for (let i = 0; i < 20000; i++) lines.push(`[permissions.p${i}.filesystem]`, `"/path/${i}" = "read"`);
    const src = lines.join("\n");
    const positions = locateKeys(src);
    expect(positions.get(pathKey(["permissions", "p19999", "filesystem", "/path/19999"]))).toEqual({ line: 40000, column: 1 });
  });
});
