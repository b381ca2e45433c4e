// Tests for layer discovery and precedence: system < user < project (root → cwd) < --config < -c.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { originAt, tableAt, toPlain } from "../../src/config/tree.js";
import { expectCordonError, makeFixture } from "./helpers.js";

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("config layers", () => {
  it("merges tables key by key; a higher layer's leaf wins and keeps its origin", () => {
    const fx = makeFixture({
      "etc-cordon/config.toml": '[permissions.p]\ndescription = "system"\n[permissions.p.workspace_roots]\n"~/a" = true\n[permissions.p.network]\nenabled = false\nmode = "full"\n',
      "cordon-home/config.toml": '[permissions.p.workspace_roots]\n"~/b" = true\n[permissions.p.network]\nenabled = true\n',
      "repo/.git/": "",
    });
    const loaded = loadConfig(fx.options("repo"));
    const p = tableAt(loaded.config, ["permissions", "p"]);
    expect(plain(toPlain(p!))).toEqual({ description: "system", workspace_roots: { "~/a": true, "~/b": true }, network: { enabled: true, mode: "full" } });
    expect(originAt(loaded.config, ["permissions", "p", "network", "enabled"])).toMatchObject({ file: fx.path("cordon-home/config.toml"), line: 4 });
    expect(originAt(loaded.config, ["permissions", "p", "network", "mode"])).toMatchObject({ file: fx.path("etc-cordon/config.toml"), line: 7 });
  });

  it("replaces arrays whole", () => {
    const fx = makeFixture({
      "etc-cordon/config.toml": '[shell_environment_policy]\nexclude = ["A", "B"]\n',
      "cordon-home/config.toml": '[shell_environment_policy]\nexclude = ["C"]\n',
      "w/": "",
    });
    expect(plain(toPlain(loadConfig(fx.options("w")).config))).toEqual({ shell_environment_policy: { exclude: ["C"] } });
  });

  it("applies precedence system < user < project root … cwd < --config (in order) < -c (in order)", () => {
    const key = (value: string) => `[permissions.p]\ndescription = "${value}"\n`;
    const fx = makeFixture({
      "etc-cordon/config.toml": key("system"),
      "cordon-home/config.toml": key("user"),
      "repo/.git": "gitdir: /elsewhere\n",
      "repo/.cordon/config.toml": key("project-root"),
      "repo/sub/.cordon/config.toml": key("project-sub"),
      "repo/sub/deeper/": "",
      "one.toml": key("config-1"),
      "two.toml": key("config-2"),
    });
    const description = (extra: Parameters<typeof fx.options>[1] = {}) =>
      (tableAt(loadConfig(fx.options("repo/sub/deeper", extra)).config, ["permissions", "p"])!.entries.get("description") as { value: unknown }).value;
    expect(description()).toBe("project-sub");
    expect(description({ configFiles: [fx.path("one.toml")] })).toBe("config-1");
    expect(description({ configFiles: [fx.path("one.toml"), fx.path("two.toml")] })).toBe("config-2");
    expect(description({ configFiles: [fx.path("two.toml"), fx.path("one.toml")] })).toBe("config-1");
    expect(description({ configFiles: [fx.path("two.toml")], overrides: ['permissions.p.description="cli-1"', 'permissions.p.description="cli-2"'] })).toBe("cli-2");
    const layers = loadConfig(fx.options("repo/sub/deeper")).configLayers.map((layer) => [layer.source, layer.file]);
    expect(layers).toEqual([
      ["system", fx.path("etc-cordon/config.toml")],
      ["user", fx.path("cordon-home/config.toml")],
      ["project", fx.path("repo/.cordon/config.toml")],
      ["project", fx.path("repo/sub/.cordon/config.toml")],
    ]);
  });

  it("without a .git ancestor the project root is the cwd itself (parent .cordon dirs are not read)", () => {
    const fx = makeFixture({ "outer/.cordon/config.toml": "bogus = 1\n", "outer/inner/.cordon/config.toml": 'default_permissions = ":read-only"\n' });
    const loaded = loadConfig(fx.options("outer/inner"));
    expect(loaded.context.projectRoot).toBe(fx.path("outer/inner"));
    expect(loaded.defaultSelection.name).toBe(":read-only");
  });

  it("does not read files above the project root", () => {
    const fx = makeFixture({ "top/.cordon/config.toml": "bogus = 1\n", "top/repo/.git/": "", "top/repo/a/": "" });
    expect(loadConfig(fx.options("top/repo/a")).configLayers).toEqual([]);
  });

  it("a missing --config file is an error; missing default files are simply absent", () => {
    const fx = makeFixture({ "w/": "" });
    expect(loadConfig(fx.options("w")).configLayers).toEqual([]);
    const error = expectCordonError(() => loadConfig(fx.options("w", { configFiles: [fx.path("nope.toml")] })), "E_IO");
    expect(error.message).toBe(`${fx.path("nope.toml")}: cannot read file: no such file`);
    expectCordonError(() => loadConfig(fx.options("w", { requirementsFiles: [fx.path("nope.toml")] })), "E_IO");
  });

  it("resolves a relative --config against cwd", () => {
    const fx = makeFixture({ "w/rel.toml": 'default_permissions = ":read-only"\n' });
    expect(loadConfig(fx.options("w", { configFiles: ["rel.toml"] })).defaultSelection.name).toBe(":read-only");
  });

  it("validates every layer, naming the file and line of the bad key", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '\n[permissions.p.network]\nenabled = "yes"\n' });
    const error = expectCordonError(() => loadConfig(fx.options("w")), "E_SCHEMA");
    expect(error.message).toBe(`${fx.path("w/.cordon/config.toml")}:3: key permissions.p.network.enabled: expected boolean, got string "yes"`);
  });

  it("validates -c overrides against the config schema with a cli origin", () => {
    const fx = makeFixture({ "w/": "" });
    const error = expectCordonError(() => loadConfig(fx.options("w", { overrides: ["permissions.p.network.enabeld=true"] })), "E_UNKNOWN_KEY");
    expect(error.message).toBe('-c permissions.p.network.enabeld=true: key permissions.p.network.enabeld: unknown key "enabeld" (did you mean "enabled"?)');
    expectCordonError(() => loadConfig(fx.options("w", { overrides: ["nope"] })), "E_OVERRIDE");
  });

  it("normalizes network.domains keys before merging, so Example.COM. overrides example.com", () => {
    const fx = makeFixture({
      "etc-cordon/config.toml": '[permissions.p.network.domains]\n"example.com" = "allow"\n"keep.org" = "allow"\n',
      "cordon-home/config.toml": '[permissions.p.network.domains]\n"Example.COM." = "deny"\n',
      "w/": "",
    });
    const loaded = loadConfig(fx.options("w"));
    expect(plain(toPlain(tableAt(loaded.config, ["permissions", "p", "network", "domains"])!))).toEqual({ "example.com": "deny", "keep.org": "allow" });
    expect(originAt(loaded.config, ["permissions", "p", "network", "domains", "example.com"])).toMatchObject({ file: fx.path("cordon-home/config.toml"), line: 2 });
  });

  it("two keys of one layer that normalize alike keep deny, with a warning", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[permissions.p.network.domains]\n"example.com" = "deny"\n"EXAMPLE.com" = "allow"\n' });
    const loaded = loadConfig(fx.options("w"));
    expect(plain(toPlain(tableAt(loaded.config, ["permissions", "p", "network", "domains"])!))).toEqual({ "example.com": "deny" });
    expect(loaded.warnings.map((w) => w.message).join("\n")).toContain('"deny" wins');
  });

  it("refuses relative CORDON_HOME / CORDON_SYSTEM_DIR and a missing cwd", () => {
    const fx = makeFixture({ "w/": "" });
    expectCordonError(() => loadConfig({ ...fx.options("w"), env: { ...fx.env, CORDON_HOME: "rel/dir" } }), "E_PATH");
    expectCordonError(() => loadConfig({ ...fx.options("w"), env: { ...fx.env, CORDON_SYSTEM_DIR: "etc" } }), "E_PATH");
    expectCordonError(() => loadConfig(fx.options("missing")), "E_PATH");
    expectCordonError(() => loadConfig({ ...fx.options("w"), cwd: "relative" }), "E_PATH");
  });

  it("defaults CORDON_HOME to ~/.cordon", () => {
    const fx = makeFixture({ "home/.cordon/config.toml": 'default_permissions = ":read-only"\n', "w/": "" });
    const env = { HOME: fx.home, CORDON_SYSTEM_DIR: fx.systemDir };
    const loaded = loadConfig({ cwd: fx.path("w"), env, platform: "linux" });
    expect(loaded.context.cordonHome).toBe(fx.path("home/.cordon"));
    expect(loaded.defaultSelection.name).toBe(":read-only");
  });
});
