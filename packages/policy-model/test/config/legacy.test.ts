// Tests for legacy sandbox_mode / [sandbox_workspace_write] translation and the no-compose rule (spec 7).
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { resolvePolicy } from "../../src/config/resolve.js";
import { originAt, toPlain } from "../../src/config/tree.js";
import { expectCordonError, makeFixture } from "./helpers.js";

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("legacy settings", () => {
  it("sandbox_mode = read-only selects :read-only", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": 'sandbox_mode = "read-only"\n' });
    const loaded = loadConfig(fx.options("w"));
    expect(loaded.defaultSelection).toMatchObject({ name: ":read-only", via: "legacy" });
    expect(plain(toPlain(loaded.legacy!.tree!))).toEqual({ filesystem: { ":root": "read" } });
    expect(resolvePolicy(fx.options("w")).profile).toBe(":read-only");
  });

  it("sandbox_mode = danger-full-access selects :danger-full-access (no sandbox)", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": 'sandbox_mode = "danger-full-access"\n' });
    const policy = resolvePolicy(fx.options("w"));
    expect(policy.profile).toBe(":danger-full-access");
    expect(policy.unrestricted).toBe(true);
  });

  it("workspace-write translates writable_roots, network_access and the exclude flags", () => {
    const fx = makeFixture({
      "w/.cordon/config.toml": [
        'sandbox_mode = "workspace-write"',
        "[sandbox_workspace_write]",
        'writable_roots = ["/srv/data",',
        '  "/opt/cache"]',
        "network_access = true",
        "exclude_tmpdir_env_var = true",
        "exclude_slash_tmp = true",
      ].join("\n"),
    });
    const loaded = loadConfig(fx.options("w"));
    const tree = loaded.legacy!.tree!;
    expect(loaded.defaultSelection.name).toBe(":workspace");
    expect(plain(toPlain(tree))).toEqual({
      filesystem: { ":root": "read", ":workspace_roots": { ".": "write" }, "/srv/data": "write", "/opt/cache": "write" },
      network: { enabled: true, mode: "full" },
    });
    const file = fx.path("w/.cordon/config.toml");
    expect(originAt(tree, ["filesystem", "/opt/cache"])).toEqual({ kind: "file", file, line: 4, column: 3 });
    expect(originAt(tree, ["network", "mode"])).toMatchObject({ file, line: 5 });
    const policy = resolvePolicy(fx.options("w"));
    expect(policy.network.enabled).toBe(true);
    expect(policy.network.mode).toBe("full");
  });

  it("workspace-write without the table is plain :workspace; network_access = false keeps the network off", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": 'sandbox_mode = "workspace-write"\n[sandbox_workspace_write]\nnetwork_access = false\n' });
    expect(plain(toPlain(loadConfig(fx.options("w")).legacy!.tree!))).toEqual({
      filesystem: { ":root": "read", ":workspace_roots": { ".": "write" }, ":tmpdir": "write", ":slash_tmp": "write" },
    });
  });

  it("[sandbox_workspace_write] alone describes the default workspace mode", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[sandbox_workspace_write]\nwritable_roots = ["/srv"]\n' });
    const loaded = loadConfig(fx.options("w"));
    expect(loaded.defaultSelection).toMatchObject({ name: ":workspace", via: "legacy" });
    expect(plain(toPlain(loaded.legacy!.tree!))).toMatchObject({ filesystem: { "/srv": "write" } });
  });

  it("[sandbox_workspace_write] with sandbox_mode = read-only is ignored with a warning", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": 'sandbox_mode = "read-only"\n[sandbox_workspace_write]\nwritable_roots = ["/srv"]\n' });
    const loaded = loadConfig(fx.options("w"));
    expect(plain(toPlain(loaded.legacy!.tree!))).toEqual({ filesystem: { ":root": "read" } });
    expect(loaded.warnings.map((w) => w.message)).toContain('[sandbox_workspace_write] is ignored because sandbox_mode is "read-only"');
  });

  it("does not compose with default_permissions: an error naming both origins", () => {
    const fx = makeFixture({
      "cordon-home/config.toml": 'sandbox_mode = "workspace-write"\n',
      "w/.cordon/config.toml": '\ndefault_permissions = ":read-only"\n',
    });
    const error = expectCordonError(() => loadConfig(fx.options("w")), "E_LEGACY");
    const config = fx.path("w/.cordon/config.toml");
    expect(error.message).toBe(
      `${config}:2: key default_permissions: default_permissions (${config}:2) cannot be combined with legacy setting sandbox_mode (${fx.path("cordon-home/config.toml")}:1): permission profiles and legacy sandbox settings do not compose; remove one of them`,
    );
  });

  it("does not compose with --profile: an error naming the legacy origin", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": '[sandbox_workspace_write]\nnetwork_access = true\n' });
    const error = expectCordonError(() => resolvePolicy(fx.options("w", { profile: ":read-only" })), "E_LEGACY");
    expect(error.message).toBe(
      `${fx.path("w/.cordon/config.toml")}:1: key sandbox_workspace_write: --profile \`:read-only\` cannot be combined with legacy setting sandbox_workspace_write (${fx.path("w/.cordon/config.toml")}:1): permission profiles and legacy sandbox settings do not compose; remove one of them`,
    );
  });

  it("defined but unselected profiles do compose with legacy settings", () => {
    const fx = makeFixture({ "w/.cordon/config.toml": 'sandbox_mode = "read-only"\n[permissions.p]\n' });
    expect(resolvePolicy(fx.options("w")).profile).toBe(":read-only");
  });

  it("is ignored with a warning when requirements set allowed_permission_profiles", () => {
    const fx = makeFixture({
      "etc-cordon/requirements.toml": '[allowed_permission_profiles]\n":read-only" = true\n":workspace" = true\n',
      "w/.cordon/config.toml": 'sandbox_mode = "danger-full-access"\ndefault_permissions = ":read-only"\n',
    });
    const policy = resolvePolicy(fx.options("w"));
    expect(policy.profile).toBe(":read-only");
    expect(policy.unrestricted).toBe(false);
    expect(policy.warnings.map((w) => w.message).join("\n")).toContain("legacy setting sandbox_mode");
    expect(policy.warnings.map((w) => w.message).join("\n")).toContain("is ignored: requirements set allowed_permission_profiles");
    expect(resolvePolicy(fx.options("w", { profile: ":workspace" })).profile).toBe(":workspace");
  });
});
