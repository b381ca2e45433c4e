// Tests for `-c KEY=VALUE` parsing: dotted and quoted keys, TOML values, malformed input.
import { describe, expect, it } from "vitest";
import { parseOverride, parseOverrideKey } from "../../src/config/override.js";
import { originAt, toPlain } from "../../src/config/tree.js";
import { expectCordonError } from "./helpers.js";

describe("parseOverride", () => {
  it("builds nested tables from a dotted key and parses the value as TOML", () => {
    const tree = parseOverride("permissions.p.network.enabled=true");
    expect(JSON.parse(JSON.stringify(toPlain(tree)))).toEqual({ permissions: { p: { network: { enabled: true } } } });
    expect(originAt(tree, ["permissions", "p", "network", "enabled"])).toEqual({ kind: "cli", text: "permissions.p.network.enabled=true" });
  });

  it("accepts quoted key segments containing dots, '=' and escapes", () => {
    const tree = parseOverride('permissions.p.filesystem."/a=b.c" = "write"');
    expect(JSON.parse(JSON.stringify(toPlain(tree)))).toEqual({ permissions: { p: { filesystem: { "/a=b.c": "write" } } } });
    expect(parseOverrideKey(`a.'lit.\\x'."\\u0041".b=1`).segments).toEqual(["a", "lit.\\x", "A", "b"]);
  });

  it("parses strings, inline tables and arrays", () => {
    expect(JSON.parse(JSON.stringify(toPlain(parseOverride('default_permissions=":read-only"'))))).toEqual({ default_permissions: ":read-only" });
    expect(JSON.parse(JSON.stringify(toPlain(parseOverride('permissions.p.filesystem={ ":root" = "read" }'))))).toEqual({
      permissions: { p: { filesystem: { ":root": "read" } } },
    });
    expect(JSON.parse(JSON.stringify(toPlain(parseOverride('shell_environment_policy.exclude=["A*", "B"]'))))).toEqual({
      shell_environment_policy: { exclude: ["A*", "B"] },
    });
  });

  it("keeps __proto__ as an ordinary key", () => {
    const tree = parseOverride("permissions.__proto__.description='x'");
    expect(tree.entries.get("permissions")?.kind).toBe("table");
    expect(({} as Record<string, unknown>)["description"]).toBeUndefined();
  });

  it("rejects an unquoted string value with a quoting hint", () => {
    const error = expectCordonError(() => parseOverride("default_permissions=:read-only"), "E_OVERRIDE");
    expect(error.message).toBe(
      `-c default_permissions=:read-only: malformed override "default_permissions=:read-only": the value is not a single TOML value (strings must be quoted: default_permissions='":read-only"')`,
    );
  });

  it("rejects missing '=', empty keys, bad characters, unterminated quotes and empty values", () => {
    expect(expectCordonError(() => parseOverride("permissions.p.network.enabled"), "E_OVERRIDE").message).toContain('missing "="');
    expect(expectCordonError(() => parseOverride("=true"), "E_OVERRIDE").message).toContain("missing key");
    expect(expectCordonError(() => parseOverride("a..b=1"), "E_OVERRIDE").message).toContain("malformed override");
    expect(expectCordonError(() => parseOverride("a b=1"), "E_OVERRIDE").message).toContain("unexpected character");
    expect(expectCordonError(() => parseOverride('"unterminated=1'), "E_OVERRIDE").message).toContain("unterminated quoted key");
    expect(expectCordonError(() => parseOverride("a="), "E_OVERRIDE").message).toContain("not a single TOML value");
  });

  it("refuses a value that smuggles in other keys", () => {
    expectCordonError(() => parseOverride("a=1\nsandbox_mode='danger-full-access'"), "E_OVERRIDE");
    expectCordonError(() => parseOverride("a=1\n[permissions.x]"), "E_OVERRIDE");
  });

  it("refuses keys and values nested more than 32 levels deep", () => {
    expect(expectCordonError(() => parseOverride(`a${".a".repeat(50000)}=1`), "E_OVERRIDE").message).toContain("more than 32 segments");
    expect(expectCordonError(() => parseOverride(`a.b=${"{ c = ".repeat(40)}1${" }".repeat(40)}`), "E_OVERRIDE").message).toContain("nested more than 32 levels deep");
  });
});
