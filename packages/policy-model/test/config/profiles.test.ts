// Tests for built-in projections and `extends` folding (spec 3).
import { describe, expect, it } from "vitest";
import { effectiveProfileTree } from "../../src/config/compile-profile.js";
import { loadConfig } from "../../src/config/load.js";
import { builtinProjection, foldProfile } from "../../src/config/profiles.js";
import { originAt, toPlain } from "../../src/config/tree.js";
import { expectCordonError, makeFixture } from "./helpers.js";

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function folded(config: string, name: string): { tree: unknown; file: string; origin: (path: string[]) => unknown } {
  const fx = makeFixture({ "w/.cordon/config.toml": config });
  const loaded = loadConfig(fx.options("w"));
  const tree = foldProfile(name, loaded.profiles).tree;
  return { tree: plain(toPlain(tree)), file: fx.path("w/.cordon/config.toml"), origin: (path) => originAt(tree, path) };
}

describe("built-in projections", () => {
  it(":workspace and :read-only project to their TOML form", () => {
    expect(plain(toPlain(builtinProjection(":workspace")))).toEqual({
      filesystem: { ":root": "read", ":workspace_roots": { ".": "write" }, ":tmpdir": "write", ":slash_tmp": "write" },
    });
    expect(plain(toPlain(builtinProjection(":read-only")))).toEqual({ filesystem: { ":root": "read" } });
    expect(originAt(builtinProjection(":workspace"), ["filesystem", ":tmpdir"])).toEqual({ kind: "builtin", detail: ":workspace" });
    expect(() => builtinProjection(":danger-full-access")).toThrow();
  });
});

describe("extends", () => {
  it("a child overrides an inherited built-in entry key by key (\":slash_tmp\" = \"read\" beats write)", () => {
    const { tree, file, origin } = folded('[permissions.p]\nextends = ":workspace"\n[permissions.p.filesystem]\n":slash_tmp" = "read"\n', "p");
    expect(tree).toEqual({
      extends: ":workspace",
      filesystem: { ":root": "read", ":workspace_roots": { ".": "write" }, ":tmpdir": "write", ":slash_tmp": "read" },
    });
    expect(origin(["filesystem", ":slash_tmp"])).toEqual({ kind: "file", file, line: 4, column: 1 });
    expect(origin(["filesystem", ":tmpdir"])).toEqual({ kind: "builtin", detail: ":workspace" });
  });

  it("deep-merges nested tables and keeps the parent's other keys", () => {
    const { tree } = folded(
      [
        "[permissions.base]",
        'description = "base profile"',
        'extends = ":read-only"',
        "[permissions.base.filesystem]",
        '":workspace_roots" = { "." = "write", "docs" = "read" }',
        "[permissions.base.network]",
        "enabled = true",
        '[permissions.base.network.domains]\n"a.com" = "allow"',
        "[permissions.child]",
        'extends = "base"',
        "[permissions.child.filesystem]",
        '":workspace_roots" = { "docs" = "deny" }',
        '[permissions.child.network.domains]\n"A.com." = "deny"\n"b.com" = "allow"',
      ].join("\n"),
      "child",
    );
    expect(tree).toEqual({
      extends: "base",
      filesystem: { ":root": "read", ":workspace_roots": { ".": "write", docs: "deny" } },
      network: { enabled: true, domains: { "a.com": "deny", "b.com": "allow" } },
    });
  });

  it("does not inherit description", () => {
    const { tree } = folded('[permissions.a]\ndescription = "parent"\n[permissions.b]\nextends = "a"\n', "b");
    expect(tree).toEqual({ extends: "a" });
  });

  it("folds from the farthest ancestor: the nearest definition wins", () => {
    const { tree } = folded(
      '[permissions.a.filesystem]\n"/x" = "read"\n"/y" = "read"\n[permissions.b]\nextends = "a"\n[permissions.b.filesystem]\n"/x" = "write"\n[permissions.c]\nextends = "b"\n[permissions.c.filesystem]\n"/y" = "deny"\n',
      "c",
    );
    expect(tree).toEqual({ extends: "b", filesystem: { "/x": "write", "/y": "deny" } });
  });

  it("a profile defined across layers is merged before extends is applied", () => {
    const fx = makeFixture({
      "etc-cordon/config.toml": '[permissions.p]\nextends = ":read-only"\n',
      "cordon-home/config.toml": '[permissions.p.filesystem]\n"/extra" = "write"\n',
      "w/": "",
    });
    const loaded = loadConfig(fx.options("w"));
    expect(plain(toPlain(effectiveProfileTree(loaded, { name: "p" })))).toEqual({
      extends: ":read-only",
      filesystem: { ":root": "read", "/extra": "write" },
    });
  });

  it("errors: undefined parent, naming file, line and key", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[permissions.p]\n\nextends = "nope"\n' });
    const loaded = loadConfig(fx.options("w"));
    const error = expectCordonError(() => foldProfile("p", loaded.profiles), "E_PROFILE");
    expect(error.message).toBe(`${fx.path("w/.cordon/config.toml")}:3: key permissions.p.extends: permissions profile \`p\` extends undefined profile \`nope\``);
  });

  it("errors: extends :danger-full-access and unknown built-ins", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[permissions.p]\nextends = ":danger-full-access"\n[permissions.q]\nextends = ":future"\n' });
    const loaded = loadConfig(fx.options("w"));
    const danger = expectCordonError(() => foldProfile("p", loaded.profiles), "E_PROFILE");
    expect(danger.message).toContain(`${fx.path("w/.cordon/config.toml")}:2: key permissions.p.extends: permissions profile \`p\` cannot extend unsupported built-in profile \`:danger-full-access\``);
    expect(expectCordonError(() => foldProfile("q", loaded.profiles), "E_PROFILE").message).toContain("extends unknown built-in profile `:future`");
  });

  it("errors: cycles with their chain, including self-extension", () => {
    const fx = makeFixture({
      "w/.cordon/config.toml": '[permissions.a]\nextends = "b"\n[permissions.b]\nextends = "a"\n[permissions.p]\nextends = "p"\n[permissions.x]\nextends = "a"\n',
    });
    const loaded = loadConfig(fx.options("w"));
    const file = fx.path("w/.cordon/config.toml");
    expect(expectCordonError(() => foldProfile("a", loaded.profiles), "E_PROFILE").message).toBe(
      `${file}:4: key permissions.b.extends: permissions profile inheritance cycle detected: a -> b -> a`,
    );
    expect(expectCordonError(() => foldProfile("p", loaded.profiles), "E_PROFILE").message).toContain("cycle detected: p -> p");
    expect(expectCordonError(() => foldProfile("x", loaded.profiles), "E_PROFILE").message).toContain("cycle detected: x -> a -> b -> a");
  });

  it("records the chain from the profile to its farthest ancestor", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[permissions.a]\nextends = ":workspace"\n[permissions.b]\nextends = "a"\n' });
    expect(foldProfile("b", loadConfig(fx.options("w")).profiles).chain).toEqual(["b", "a", ":workspace"]);
  });

  it("folding with a shared cache gives the same result as folding alone, and stays fast on long chains", () => {
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) lines.push(`[permissions.p${i}]`, `extends = "p${i + 1}"`, `[permissions.p${i}.filesystem]`, `"/x${i % 7}" = "${i % 2 ? "read" : "write"}"`);
    lines.push("[permissions.p500]", 'extends = ":workspace"');
    const fx = makeFixture({ "w/.cordon/config.toml": lines.join("\n") });
    const loaded = loadConfig(fx.options("w"));
    const cache = new Map();
    const viaCache = ["p499", "p250", "p0", "p3"].map((name) => plain(toPlain(foldProfile(name, loaded.profiles, cache).tree)));
    const alone = ["p499", "p250", "p0", "p3"].map((name) => plain(toPlain(foldProfile(name, loaded.profiles).tree)));
    expect(viaCache).toEqual(alone);
    expect((alone[2] as { filesystem: Record<string, string> }).filesystem["/x0"]).toBe("write");
    expect((alone[2] as { filesystem: Record<string, string> }).filesystem["/x1"]).toBe("read");
    expect(foldProfile("p0", loaded.profiles).chain).toHaveLength(502);
  });
});
