// Tests for schema validation: each zod issue becomes one CordonError naming file:line, key and problem.
import { describe, expect, it } from "vitest";
import { parseTomlText } from "../../src/config/toml-load.js";
import { validateLayer, type LayerKind } from "../../src/config/validate.js";
import { nearest, editDistance } from "../../src/config/suggest.js";
import { expectCordonError } from "./helpers.js";

const FILE = "/cfg/config.toml";
function check(source: string, kind: LayerKind = "config"): void {
  validateLayer(parseTomlText(source, FILE), kind);
}

describe("validateLayer", () => {
  it("accepts a complete, valid config and a valid requirements file", () => {
    expect(() =>
      check(
        [
          'default_permissions = "dev"',
          "[permissions.dev]",
          'description = "d"',
          'extends = ":workspace"',
          '[permissions.dev.workspace_roots]',
          '"~/code" = true',
          "[permissions.dev.filesystem]",
          "glob_scan_max_depth = 3",
          '"/abs" = "read"',
          '"~/s" = "none"',
          '":workspace_roots" = { "." = "write", "**/*.env" = "deny" }',
          "[permissions.dev.network]",
          'enabled = true\nmode = "full"\nallow_local_binding = false\nenable_socks5 = true\nenable_socks5_udp = false',
          'proxy_url = "http://127.0.0.1:0"\nsocks_url = "socks5://127.0.0.1:0"\nallow_upstream_proxy = false',
          '[permissions.dev.network.domains]\n"example.com" = "allow"\n"bad.example.com" = "deny"',
          '[permissions.dev.network.unix_sockets]\n"/var/run/docker.sock" = "allow"\n"/x.sock" = "none"',
          "[shell_environment_policy]",
          'inherit = "core"\nignore_default_excludes = false\nexclude = ["A*"]\ninclude_only = []\nset = { X = "1" }',
          '[sandbox_workspace_write]\nwritable_roots = ["/w"]\nnetwork_access = false\nexclude_tmpdir_env_var = true\nexclude_slash_tmp = false',
        ].join("\n"),
      ),
    ).not.toThrow();
    expect(() => check('default_permissions = "x"\n[allowed_permission_profiles]\nx = true\n[permissions.x]\nextends = ":read-only"\n', "requirements")).not.toThrow();
  });

  it("wrong type: expected boolean, got string — with file, line and key", () => {
    const error = expectCordonError(() => check('[permissions.p.network]\nmode = "full"\nenabled = "yes"\n'), "E_SCHEMA");
    expect(error.message).toBe(`${FILE}:3: key permissions.p.network.enabled: expected boolean, got string "yes"`);
    expect(error.keyPath).toEqual(["permissions", "p", "network", "enabled"]);
  });

  it("bad enum lists the valid values", () => {
    const error = expectCordonError(() => check('[permissions.p.network]\nmode = "open"\n'), "E_SCHEMA");
    expect(error.message).toBe(`${FILE}:2: key permissions.p.network.mode: expected one of "limited", "full"; got string "open"`);
    const legacy = expectCordonError(() => check('sandbox_mode = "yolo"\n'), "E_SCHEMA");
    expect(legacy.message).toContain('"read-only", "workspace-write", "danger-full-access"');
  });

  it("unknown key: E_UNKNOWN_KEY with a did-you-mean hint", () => {
    const error = expectCordonError(() => check('[permissions.p.network]\nenabeld = true\n'), "E_UNKNOWN_KEY");
    expect(error.message).toBe(`${FILE}:2: key permissions.p.network.enabeld: unknown key "enabeld" (did you mean "enabled"?)`);
    const top = expectCordonError(() => check('\n\ndefault_permission = ":workspace"\n'), "E_UNKNOWN_KEY");
    expect(top.message).toBe(`${FILE}:3: key default_permission: unknown key "default_permission" (did you mean "default_permissions"?)`);
  });

  it("unknown key without a close match lists the valid keys", () => {
    const error = expectCordonError(() => check("[permissions.p]\nzzzzzzzz = 1\n"), "E_UNKNOWN_KEY");
    expect(error.message).toContain("valid keys: description, extends, workspace_roots, filesystem, network");
    expect(error.message).toContain(`${FILE}:2`);
  });

  it("a config-only key in requirements is unknown there", () => {
    const error = expectCordonError(() => check('sandbox_mode = "read-only"\n', "requirements"), "E_UNKNOWN_KEY");
    expect(error.message).toContain("key sandbox_mode");
  });

  it("a requirements-only key in config is unknown there", () => {
    const error = expectCordonError(() => check("[allowed_permission_profiles]\n':workspace' = true\n"), "E_UNKNOWN_KEY");
    expect(error.message).toContain(`${FILE}:1`);
  });

  it("a bad filesystem access names the valid accesses", () => {
    const error = expectCordonError(() => check('[permissions.p.filesystem]\n"/x" = "rw"\n'), "E_SCHEMA");
    expect(error.message).toBe(`${FILE}:2: key permissions.p.filesystem."/x": expected "read", "write", "deny", "none" or a table; got string "rw"`);
  });

  it("a bad access inside a nested filesystem table points at the nested key", () => {
    const error = expectCordonError(() => check('[permissions.p.filesystem]\n":workspace_roots" = {\n  "." = "write",\n  docs = "readonly" }\n'), "E_SCHEMA");
    expect(error.message).toBe(`${FILE}:4: key permissions.p.filesystem.":workspace_roots".docs: expected one of "read", "write", "deny", "none"; got string "readonly"`);
  });

  it("a typo of glob_scan_max_depth gets a hint", () => {
    const error = expectCordonError(() => check("[permissions.p.filesystem]\nglob_scan_max_dept = 3\n"), "E_SCHEMA");
    expect(error.message).toContain('(did you mean "glob_scan_max_depth"?)');
    expect(error.message).toContain("got integer 3");
  });

  it("glob_scan_max_depth must be an integer >= 1", () => {
    expect(expectCordonError(() => check("[permissions.p.filesystem]\nglob_scan_max_depth = 0\n"), "E_SCHEMA").message).toBe(
      `${FILE}:2: key permissions.p.filesystem.glob_scan_max_depth: must be at least 1, got integer 0`,
    );
    expect(expectCordonError(() => check("[permissions.p.filesystem]\nglob_scan_max_depth = -2\n"), "E_SCHEMA").message).toContain("must be at least 1");
    expect(expectCordonError(() => check("[permissions.p.filesystem]\nglob_scan_max_depth = 1.5\n"), "E_SCHEMA").message).toContain("expected integer, got float 1.5");
    expect(() => check("[permissions.p.filesystem]\nglob_scan_max_depth = 1\n")).not.toThrow();
  });

  it("workspace_roots values must be booleans; arrays and tables are named in TOML terms", () => {
    expect(expectCordonError(() => check('[permissions.p.workspace_roots]\n"~/x" = "yes"\n'), "E_SCHEMA").message).toContain("expected boolean, got string");
    expect(expectCordonError(() => check("[permissions]\np = [1]\n"), "E_SCHEMA").message).toBe(`${FILE}:2: key permissions.p: expected table, got array`);
    expect(expectCordonError(() => check("default_permissions = 1979-05-27\n"), "E_SCHEMA").message).toContain("expected string, got datetime");
    expect(expectCordonError(() => check("[shell_environment_policy]\nexclude = [1]\n"), "E_SCHEMA").message).toBe(
      `${FILE}:2: key shell_environment_policy.exclude.0: expected string, got integer 1`,
    );
  });

  it("reports the first problem in file order", () => {
    const error = expectCordonError(() => check('[permissions.b.network]\nenabled = "no"\n[permissions.a]\nbogus = 1\n'), "E_SCHEMA");
    expect(error.message).toContain(`${FILE}:2`);
  });

  it("rejects profile names with the reserved ':' prefix", () => {
    const error = expectCordonError(() => check('\n[permissions.":mine"]\nextends = ":workspace"\n'), "E_PROFILE");
    expect(error.message).toBe(`${FILE}:2: key permissions.":mine": permissions profile \`:mine\` uses a reserved built-in profile prefix (names starting with ":" are built-ins)`);
    expectCordonError(() => check('[permissions.":workspace"]\n', "requirements"), "E_PROFILE");
    expect(() => check('[permissions."mine:x"]\n')).not.toThrow();
  });
});

describe("suggestions", () => {
  it("edit distance and nearest", () => {
    expect(editDistance("enabeld", "enabled")).toBe(2);
    expect(editDistance("", "abc")).toBe(3);
    expect(nearest("enabeld", ["enabled", "mode"])).toBe("enabled");
    expect(nearest("completely_different", ["enabled", "mode"])).toBeUndefined();
    expect(nearest("MODE", ["mode"])).toBe("mode");
  });
});
