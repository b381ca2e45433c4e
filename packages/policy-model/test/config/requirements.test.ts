// Tests for managed requirements: the closed allowlist, the managed default and selection (spec 8).
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { listProfiles, resolvePolicy } from "../../src/config/resolve.js";
import { expectCordonError, makeFixture, type Fixture } from "./helpers.js";

function withRequirements(requirements: string, config = "", extra: Record<string, string> = {}): Fixture {
  return makeFixture({ "etc-cordon/requirements.toml": requirements, "w/.cordon/config.toml": config, ...extra });
}

describe("allowed_permission_profiles", () => {
  it("absent: every profile may be selected, the default is :workspace", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": "[permissions.p]\n" });
    const loaded = loadConfig(fx.options("w"));
    expect(listProfiles(loaded)).toEqual([
      { name: ":read-only", allowed: true, default: false, source: "builtin" },
      { name: ":workspace", allowed: true, default: true, source: "builtin" },
      { name: ":danger-full-access", allowed: true, default: false, source: "builtin" },
      { name: "p", allowed: true, default: false, source: `${fx.path("w/.cordon/config.toml")}:1` },
    ]);
    expect(resolvePolicy(fx.options("w", { profile: ":danger-full-access" })).unrestricted).toBe(true);
  });

  it("is a closed allowlist: unlisted built-ins are refused with exit code 3, naming the profile, the allowed set and the file", () => {
    const fx = withRequirements('[allowed_permission_profiles]\n":read-only" = true\n":workspace" = true\n');
    const file = fx.path("etc-cordon/requirements.toml");
    const error = expectCordonError(() => resolvePolicy(fx.options("w", { profile: ":danger-full-access" })), "E_NOT_ALLOWED");
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(
      `${file}:1: key allowed_permission_profiles: profile \`:danger-full-access\` is not allowed by requirements (allowed: :read-only, :workspace; requirements: ${file})`,
    );
    expect(resolvePolicy(fx.options("w", { profile: ":read-only" })).profile).toBe(":read-only");
    expect(resolvePolicy(fx.options("w")).profile).toBe(":workspace");
  });

  it("managed default, managed profile extending :workspace although :workspace is not allowed", () => {
    const fx = withRequirements('default_permissions = "acme"\n[allowed_permission_profiles]\nacme = true\n[permissions.acme]\nextends = ":workspace"\n');
    const policy = resolvePolicy(fx.options("w"));
    expect(policy.profile).toBe("acme");
    expect(policy.environment["CORDON_SANDBOX"]).toBe("acme");
    const error = expectCordonError(() => resolvePolicy(fx.options("w", { profile: ":workspace" })), "E_NOT_ALLOWED");
    expect(error.message).toContain("profile `:workspace` is not allowed by requirements (allowed: acme;");
    const rows = listProfiles(loadConfig(fx.options("w")));
    expect(rows.find((row) => row.name === "acme")).toEqual({ name: "acme", allowed: true, default: true, source: `${fx.path("etc-cordon/requirements.toml")}:4` });
    expect(rows.find((row) => row.name === ":workspace")).toMatchObject({ allowed: false, default: false });
  });

  it("merges per key across layers: a higher layer's false revokes, true adds", () => {
    const fx = withRequirements('[allowed_permission_profiles]\n":read-only" = true\n":workspace" = true\n":danger-full-access" = true\n', "", {
      "revoke.toml": '[allowed_permission_profiles]\n":danger-full-access" = false\n',
    });
    expect(resolvePolicy(fx.options("w", { profile: ":danger-full-access" })).unrestricted).toBe(true);
    const error = expectCordonError(
      () => resolvePolicy(fx.options("w", { profile: ":danger-full-access", requirementsFiles: [fx.path("revoke.toml")] })),
      "E_NOT_ALLOWED",
    );
    expect(error.message).toContain(`${fx.path("revoke.toml")}:2: key allowed_permission_profiles.":danger-full-access"`);
    expect(error.message).toContain(`requirements: ${fx.path("etc-cordon/requirements.toml")}, ${fx.path("revoke.toml")}`);
    expect(resolvePolicy(fx.options("w", { profile: ":read-only", requirementsFiles: [fx.path("revoke.toml")] })).profile).toBe(":read-only");
  });

  it("a config-defined profile may be selected only when listed", () => {
    const fx = withRequirements('[allowed_permission_profiles]\n":read-only" = true\n":workspace" = true\nmine = true\n', "[permissions.mine]\nextends = \":read-only\"\n[permissions.other]\n");
    expect(resolvePolicy(fx.options("w", { profile: "mine" })).profile).toBe("mine");
    expectCordonError(() => resolvePolicy(fx.options("w", { profile: "other" })), "E_NOT_ALLOWED");
  });

  it("every key must name a known profile", () => {
    const fx = withRequirements('[allowed_permission_profiles]\n":read-only" = true\n":workspace" = true\nghost = false\n');
    const error = expectCordonError(() => loadConfig(fx.options("w")), "E_REQUIREMENTS");
    expect(error.message).toBe(
      `${fx.path("etc-cordon/requirements.toml")}:4: key allowed_permission_profiles.ghost: requirements.toml allowed_permission_profiles refers to undefined profile \`ghost\``,
    );
    expectCordonError(() => loadConfig(withRequirements('[allowed_permission_profiles]\n":future" = true\n').options("w")), "E_REQUIREMENTS");
  });

  it("a managed default requires the allowlist", () => {
    const fx = withRequirements('default_permissions = ":read-only"\n');
    expect(expectCordonError(() => loadConfig(fx.options("w")), "E_REQUIREMENTS").message).toBe(
      `${fx.path("etc-cordon/requirements.toml")}:1: key default_permissions: requirements.toml default_permissions requires allowed_permission_profiles`,
    );
  });

  it("a managed default must be allowed", () => {
    const fx = withRequirements('default_permissions = ":workspace"\n[allowed_permission_profiles]\n":read-only" = true\n');
    expect(expectCordonError(() => loadConfig(fx.options("w")), "E_REQUIREMENTS").message).toContain(
      "requirements.toml default_permissions `:workspace` must be allowed by allowed_permission_profiles (allowed: :read-only)",
    );
  });

  it("without a managed default the allowlist must allow both :workspace and :read-only", () => {
    for (const list of ['":read-only" = true', '":read-only" = true\n":workspace" = false', "", "mine = true"]) {
      const fx = withRequirements(`[allowed_permission_profiles]\n${list}\n`, "[permissions.mine]\n");
      expect(expectCordonError(() => loadConfig(fx.options("w")), "E_REQUIREMENTS").message).toContain(
        "requirements.toml default_permissions must be set unless allowed_permission_profiles allows both `:workspace` and `:read-only`",
      );
    }
  });

  it("a config default_permissions that is not allowed falls back to the managed default with a warning naming both", () => {
    const fx = withRequirements('default_permissions = ":read-only"\n[allowed_permission_profiles]\n":read-only" = true\n', 'default_permissions = ":workspace"\n');
    const policy = resolvePolicy(fx.options("w"));
    expect(policy.profile).toBe(":read-only");
    const warning = policy.warnings.map((w) => `${w.origin?.kind === "file" ? `${w.origin.file}:${w.origin.line}` : ""} ${w.message}`).join("\n");
    expect(warning).toContain(`${fx.path("w/.cordon/config.toml")}:1 default_permissions \`:workspace\` is not allowed by requirements (allowed: :read-only); using the managed default \`:read-only\` (${fx.path("etc-cordon/requirements.toml")}:1)`);
  });

  it("a config default_permissions that is allowed wins over the managed default", () => {
    const fx = withRequirements('default_permissions = ":read-only"\n[allowed_permission_profiles]\n":read-only" = true\n":workspace" = true\n', 'default_permissions = ":workspace"\n');
    expect(resolvePolicy(fx.options("w")).profile).toBe(":workspace");
  });

  it("a managed profile name may not also be defined in a config layer", () => {
    const fx = withRequirements('default_permissions = "acme"\n[allowed_permission_profiles]\nacme = true\n[permissions.acme]\n', '\n[permissions.acme.filesystem]\n":root" = "write"\n');
    const error = expectCordonError(() => loadConfig(fx.options("w")), "E_PROFILE");
    expect(error.message).toBe(
      `${fx.path("w/.cordon/config.toml")}:2: key permissions.acme: permissions profile \`acme\` is managed by requirements (${fx.path("etc-cordon/requirements.toml")}:4) and cannot also be defined in a config layer (${fx.path("w/.cordon/config.toml")}:2)`,
    );
  });

  it("a managed profile may extend managed profiles and built-ins but not a config-defined profile", () => {
    const requirements = 'default_permissions = "acme"\n[allowed_permission_profiles]\nacme = true\n[permissions.base]\nextends = ":read-only"\n[permissions.acme]\nextends = "base"\n';
    expect(resolvePolicy(withRequirements(requirements).options("w")).profile).toBe("acme");
    const fx = withRequirements(requirements.replace('extends = "base"', 'extends = "mine"'), '[permissions.mine.filesystem]\n":root" = "write"\n');
    const error = expectCordonError(() => resolvePolicy(fx.options("w")), "E_PROFILE");
    expect(error.message).toBe(
      `${fx.path("etc-cordon/requirements.toml")}:7: key permissions.acme.extends: managed permissions profile \`acme\` cannot extend \`mine\`, which is defined in a config layer (managed profiles may extend only :read-only, :workspace and other managed profiles)`,
    );
  });

  it("a config profile may extend a managed profile", () => {
    const fx = withRequirements('[allowed_permission_profiles]\n":read-only" = true\n":workspace" = true\nmine = true\n[permissions.base]\nextends = ":read-only"\n', '[permissions.mine]\nextends = "base"\n');
    expect(resolvePolicy(fx.options("w", { profile: "mine" })).profile).toBe("mine");
  });

  it("refuses a requirements file that exists but cannot be parsed (fail closed)", () => {
    const fx = withRequirements("[allowed_permission_profiles\n");
    expectCordonError(() => loadConfig(fx.options("w")), "E_TOML_SYNTAX");
  });
});

describe("selection", () => {
  it("--profile naming an undefined profile is an error with a hint", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": "[permissions.review]\n" });
    expect(expectCordonError(() => resolvePolicy(fx.options("w", { profile: "reveiw" })), "E_PROFILE").message).toBe(
      "--profile refers to undefined profile `reveiw` (did you mean `review`?)",
    );
    expect(expectCordonError(() => resolvePolicy(fx.options("w", { profile: ":nope" })), "E_PROFILE").message).toContain(
      "--profile refers to unknown built-in profile `:nope`",
    );
  });

  it("default_permissions naming an undefined profile is an error naming its origin", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '\ndefault_permissions = "nope"\n' });
    expect(expectCordonError(() => loadConfig(fx.options("w")), "E_PROFILE").message).toBe(
      `${fx.path("w/.cordon/config.toml")}:2: key default_permissions: default_permissions refers to undefined profile \`nope\``,
    );
  });

  it("--profile beats default_permissions, which beats :workspace; -c can set default_permissions", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": 'default_permissions = "p"\n[permissions.p]\nextends = ":read-only"\n' });
    expect(resolvePolicy(fx.options("w")).profile).toBe("p");
    expect(resolvePolicy(fx.options("w", { profile: ":workspace" })).profile).toBe(":workspace");
    expect(resolvePolicy(fx.options("w", { overrides: ['default_permissions=":read-only"'] })).profile).toBe(":read-only");
    expect(resolvePolicy(makeFixture({ "w/": "" }).options("w")).profile).toBe(":workspace");
  });
});
