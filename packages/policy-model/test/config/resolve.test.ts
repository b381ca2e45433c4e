// End-to-end tests of resolvePolicy, listProfiles and checkConfig on fixture trees.
import { describe, expect, it } from "vitest";
import { policyPaths } from "../../src/config/compile-profile.js";
import { loadConfig } from "../../src/config/load.js";
import { checkConfig, listProfiles, resolvePolicy } from "../../src/config/resolve.js";
import { formatDiagnostic } from "../../src/errors.js";
import type { ResolvedPolicy } from "../../src/resolved-policy.js";
import { expectCordonError, makeFixture } from "./helpers.js";

function ruleFor(policy: ResolvedPolicy, path: string): string | undefined {
  return policy.filesystem.rules.find((rule) => rule.path === path)?.access;
}

describe("resolvePolicy", () => {
  it("default :workspace: project root writable, / readable, /tmp and $TMPDIR writable, network off", () => {
    const fx = makeFixture({ "repo/.git/": "", "repo/src/": "", "tmp/": "" });
    const policy = resolvePolicy({ ...fx.options("repo/src"), env: { ...fx.env, TMPDIR: fx.path("tmp") } });
    expect(policy.profile).toBe(":workspace");
    expect(policy.unrestricted).toBe(false);
    expect(policy.cwd).toBe(fx.path("repo/src"));
    expect(policy.workspaceRoots).toEqual([fx.path("repo")]);
    expect(ruleFor(policy, "/")).toBe("read");
    expect(ruleFor(policy, fx.path("repo"))).toBe("write");
    expect(ruleFor(policy, "/tmp")).toBe("write");
    expect(ruleFor(policy, fx.path("tmp"))).toBe("write");
    expect(policy.network.enabled).toBe(false);
    expect(policy.environment["CORDON_SANDBOX"]).toBe(":workspace");
    expect(policy.home).toBe(fx.home);
    expect(JSON.parse(JSON.stringify(policy))).toEqual(policy);
  });

  it("a relative TMPDIR is ignored (:tmpdir resolves to nothing)", () => {
    const fx = makeFixture({ "w/": "" });
    const policy = resolvePolicy({ ...fx.options("w"), env: { ...fx.env, TMPDIR: "relative/tmp" } });
    expect(policy.filesystem.rules.some((rule) => rule.entry === ":tmpdir")).toBe(false);
  });

  it("a child \":slash_tmp\" = \"read\" overrides the inherited write of :workspace", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[permissions.p]\nextends = ":workspace"\n[permissions.p.filesystem]\n":slash_tmp" = "read"\n' });
    expect(ruleFor(resolvePolicy(fx.options("w")), "/tmp")).toBe("write");
    const policy = resolvePolicy(fx.options("w", { profile: "p" }));
    expect(ruleFor(policy, "/tmp")).toBe("read");
    expect(policy.filesystem.rules.find((rule) => rule.path === "/tmp")?.origin).toMatchObject({ file: fx.path("w/.cordon/config.toml"), line: 4 });
  });

  it(":read-only grants read of / only", () => {
    const fx = makeFixture({ "w/": "" });
    const policy = resolvePolicy(fx.options("w", { profile: ":read-only" }));
    expect(policy.filesystem.rules.map((rule) => [rule.path, rule.access])).toEqual([["/", "read"]]);
  });

  it(":danger-full-access is unrestricted with read+write everywhere and no protected paths", () => {
    const fx = makeFixture({ "w/": "" });
    const policy = resolvePolicy(fx.options("w", { profile: ":danger-full-access" }));
    expect(policy.unrestricted).toBe(true);
    expect(policy.filesystem.rules).toEqual([expect.objectContaining({ path: "/", access: "write" })]);
    expect(policy.filesystem.protectedPaths).toEqual([]);
    expect(policy.network.enabled).toBe(true);
    expect(policy.network.mode).toBe("full");
    expect(policy.environment["CORDON_SANDBOX"]).toBe(":danger-full-access");
  });

  it("workspace roots: project root + --add-dir + the profile's enabled workspace_roots (~ expanded, relative to cwd)", () => {
    const fx = makeFixture({
      "repo/.git/": "",
      "extra/": "",
      "home/code/": "",
      "repo/rel/": "",
      "repo/.cordon/config.toml": '[permissions.p]\nextends = ":workspace"\n[permissions.p.workspace_roots]\n"~/code" = true\n"rel" = true\n"/disabled" = false\n',
    });
    const policy = resolvePolicy(fx.options("repo", { profile: "p", addDirs: ["../extra"] }));
    expect(policy.workspaceRoots).toEqual([fx.path("repo"), fx.path("extra"), fx.path("home/code"), fx.path("repo/rel")]);
    for (const root of policy.workspaceRoots) expect(ruleFor(policy, root)).toBe("write");
    expect(policy.workspaceRoots).not.toContain("/disabled");
  });

  it("a profile workspace root that does not exist is kept, with a warning", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[permissions.p.workspace_roots]\n"~/nowhere" = true\n' });
    const policy = resolvePolicy(fx.options("w", { profile: "p" }));
    expect(policy.workspaceRoots).toContain(fx.path("home/nowhere"));
    expect(policy.warnings.map((w) => w.message)).toContain(`workspace root ${fx.path("home/nowhere")} does not exist`);
  });

  it("--add-dir must be an existing directory", () => {
    const fx = makeFixture({ "w/": "", "file.txt": "x" });
    expect(expectCordonError(() => resolvePolicy(fx.options("w", { addDirs: ["missing"] })), "E_PATH").message).toBe(
      `--add-dir "missing": ${fx.path("w/missing")} does not exist or is not a directory`,
    );
    expectCordonError(() => resolvePolicy(fx.options("w", { addDirs: [fx.path("file.txt")] })), "E_PATH");
  });

  it("hands cordon's own dirs and every loaded policy file to the protected-path finder", () => {
    const fx = makeFixture({
      "etc-cordon/config.toml": "",
      "etc-cordon/requirements.toml": "",
      "w/.cordon/config.toml": "",
      "extra.toml": "",
      "req.toml": "",
    });
    const loaded = loadConfig(fx.options("w", { configFiles: [fx.path("extra.toml")], requirementsFiles: [fx.path("req.toml")] }));
    expect(policyPaths(loaded)).toEqual([
      { path: fx.cordonHome, name: "CORDON_HOME" },
      { path: fx.systemDir, name: "CORDON_SYSTEM_DIR" },
      { path: fx.path("etc-cordon/config.toml"), name: "config" },
      { path: fx.path("w/.cordon/config.toml"), name: "config" },
      { path: fx.path("extra.toml"), name: "config" },
      { path: fx.path("etc-cordon/requirements.toml"), name: "requirements" },
      { path: fx.path("req.toml"), name: "requirements" },
    ]);
    const policy = resolvePolicy(fx.options("w", { configFiles: [fx.path("extra.toml")], requirementsFiles: [fx.path("req.toml")] }));
    expect(policy.sources).toEqual({
      config: [fx.path("etc-cordon/config.toml"), fx.path("w/.cordon/config.toml"), fx.path("extra.toml")],
      requirements: [fx.path("etc-cordon/requirements.toml"), fx.path("req.toml")],
    });
    const protectedPolicy = policy.filesystem.protectedPaths.filter((p) => p.reason === "policy").map((p) => p.path);
    expect(protectedPolicy).toEqual(expect.arrayContaining([fx.cordonHome, fx.path("extra.toml"), fx.path("req.toml")]));
  });

  it("computes the environment from [shell_environment_policy] merged across config layers", () => {
    const fx = makeFixture({
      "cordon-home/config.toml": '[shell_environment_policy]\ninherit = "none"\nset = { A = "1", B = "2" }\n',
      "w/.cordon/config.toml": '[shell_environment_policy.set]\nB = "override"\n',
    });
    const policy = resolvePolicy({ ...fx.options("w"), env: { ...fx.env, SECRET_THING: "x" } });
    expect(policy.environment).toEqual({ A: "1", B: "override", CORDON_SANDBOX: ":workspace" });
  });

  it("compiles the network of the selected profile, with domain keys normalized across layers", () => {
    const fx = makeFixture({
      "cordon-home/config.toml": '[permissions.p.network]\nenabled = true\n[permissions.p.network.domains]\n"example.com" = "allow"\n',
      "w/.cordon/config.toml": '[permissions.p.network.domains]\n"EXAMPLE.com." = "deny"\n',
    });
    const policy = resolvePolicy(fx.options("w", { profile: "p" }));
    expect(policy.network.enabled).toBe(true);
    expect(policy.network.domains.map((d) => [d.pattern, d.decision])).toEqual([["example.com", "deny"]]);
  });

  it("reports a bad filesystem key with its file, line and full key path", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[permissions.p.filesystem]\n\n"relative/path" = "read"\n' });
    const error = expectCordonError(() => resolvePolicy(fx.options("w", { profile: "p" })), "E_PATH");
    expect(error.message).toContain(`${fx.path("w/.cordon/config.toml")}:3: key permissions.p.filesystem."relative/path"`);
  });

  it("reports a bad domain pattern with its file, line and full key path", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[permissions.p.network.domains]\n"*" = "deny"\n' });
    const error = expectCordonError(() => resolvePolicy(fx.options("w", { profile: "p" })), "E_DOMAIN");
    expect(error.message).toContain(`${fx.path("w/.cordon/config.toml")}:2: key permissions.p.network.domains."*": `);
  });

  it("uses the platform option for case sensitivity", () => {
    const fx = makeFixture({ "w/": "" });
    expect(resolvePolicy(fx.options("w")).filesystem.caseSensitive).toBe(true);
    expect(resolvePolicy(fx.options("w", { platform: "macos" })).filesystem.caseSensitive).toBe(false);
  });
});

describe("checkConfig", () => {
  it("finds errors in profiles nobody selects", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[permissions.good]\nextends = ":read-only"\n[permissions.broken]\nextends = "missing"\n' });
    expect(resolvePolicy(fx.options("w")).profile).toBe(":workspace");
    expect(expectCordonError(() => checkConfig(fx.options("w")), "E_PROFILE").message).toContain("permissions profile `broken` extends undefined profile `missing`");
  });

  it("finds bad filesystem and network entries in unselected profiles", () => {
    const fs = makeFixture({ "w/.cordon/config.toml": '[permissions.x.filesystem]\n"rel" = "read"\n' });
    expect(expectCordonError(() => checkConfig(fs.options("w")), "E_PATH").message).toContain("key permissions.x.filesystem.rel");
    const net = makeFixture({ "w/.cordon/config.toml": '[permissions.x.network.domains]\n"*" = "deny"\n' });
    expect(expectCordonError(() => checkConfig(net.options("w")), "E_DOMAIN").message).toContain("key permissions.x.network.domains");
  });

  it("returns warnings (deduplicated) and nothing for a clean config", () => {
    expect(checkConfig(makeFixture({ "w/.cordon/config.toml": '[permissions.a]\nextends = ":workspace"\n' }).options("w"))).toEqual([]);
    const fx = makeFixture({ "w/.cordon/config.toml": '[permissions.a.filesystem]\n":future_token" = "read"\n' });
    const warnings = checkConfig(fx.options("w"));
    expect(warnings.length).toBe(1);
    expect(formatDiagnostic(warnings[0]!)).toContain(`${fx.path("w/.cordon/config.toml")}:2`);
  });

  it("checks the --profile selection too", () => {
    const fx = makeFixture({ "w/": "" });
    expectCordonError(() => checkConfig(fx.options("w", { profile: "nope" })), "E_PROFILE");
  });
});

describe("listProfiles", () => {
  it("lists built-ins first, then config and managed profiles with their sources", () => {
    const fx = makeFixture({
      "etc-cordon/requirements.toml": '[allowed_permission_profiles]\n":read-only" = true\n":workspace" = true\nmanaged = true\n[permissions.managed]\nextends = ":workspace"\n',
      "w/.cordon/config.toml": 'default_permissions = "managed"\n\n[permissions.mine]\n',
    });
    expect(listProfiles(loadConfig(fx.options("w")))).toEqual([
      { name: ":read-only", allowed: true, default: false, source: "builtin" },
      { name: ":workspace", allowed: true, default: false, source: "builtin" },
      { name: ":danger-full-access", allowed: false, default: false, source: "builtin" },
      { name: "mine", allowed: false, default: false, source: `${fx.path("w/.cordon/config.toml")}:3` },
      { name: "managed", allowed: true, default: true, source: `${fx.path("etc-cordon/requirements.toml")}:5` },
    ]);
  });

  it("names -c as the source of a profile defined by an override", () => {
    const fx = makeFixture({ "w/": "" });
    const rows = listProfiles(loadConfig(fx.options("w", { overrides: ["permissions.cli.description='x'"] })));
    expect(rows.at(-1)).toEqual({ name: "cli", allowed: true, default: false, source: "-c permissions.cli.description='x'" });
  });
});
