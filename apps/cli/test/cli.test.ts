// The CLI contract of spec/cli.md, checked by spawning the built CLI: JSON shapes and exit codes.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hasStackTrace, makeSandbox } from "./helpers.js";

interface ExplainJson {
  profile: string;
  paths: { path: string; read: string; write: string; rule: string }[];
  domains: { host: string; port: number | null; decision: string; rule: string }[];
}

describe("usage", () => {
  it("prints help and exits 0", () => {
    const r = makeSandbox().cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("cordon run");
  });

  it("prints the package version for --version and -V", () => {
    const version = (JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "package.json"), "utf8")) as { version: string }).version;
    for (const flag of ["--version", "-V"]) {
      const r = makeSandbox().cli([flag]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it("rejects an unknown command with exit 2", () => {
    const r = makeSandbox().cli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it("rejects an unknown option with exit 2 and no stack trace", () => {
    const r = makeSandbox().cli(["explain", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bogus/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it("run without `--` is a usage error with exit 125", () => {
    const r = makeSandbox().cli(["run", "echo"]);
    expect(r.code).toBe(125);
  });
});

describe("explain --json", () => {
  it("reports the default :workspace profile for files, metadata and outside paths", () => {
    const sb = makeSandbox();
    sb.write("repo/src/a.ts", "x");
    const r = sb.cli(["explain", "--json", "src/a.ts", ".git/config", "/etc/passwd", "--domain", "example.com"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as ExplainJson;
    expect(out.profile).toBe(":workspace");
    const [file, gitConfig, etc] = out.paths;
    expect(file).toMatchObject({ path: join(sb.repo, "src/a.ts"), read: "allow", write: "allow" });
    expect(gitConfig).toMatchObject({ path: join(sb.repo, ".git/config"), read: "allow", write: "deny" });
    expect(gitConfig?.rule).toMatch(/\.git/);
    expect(etc).toMatchObject({ path: "/etc/passwd", read: "allow", write: "deny" });
    for (const p of out.paths) expect(p.rule.length).toBeGreaterThan(0);
    expect(out.domains).toEqual([expect.objectContaining({ host: "example.com", decision: "deny" })]);
  });

  it("names the file and line of the deciding rule", () => {
    const sb = makeSandbox();
    const cfg = sb.write(
      "cfg.toml",
      ['default_permissions = "dev"', "[permissions.dev]", 'extends = ":workspace"', "[permissions.dev.filesystem]", '":workspace_roots" = { "." = "write", "**/*.env" = "deny" }', ""].join("\n"),
    );
    sb.write("repo/.env", "SECRET=1");
    const r = sb.cli(["explain", "--json", "--config", cfg, ".env", "README.md"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as ExplainJson;
    expect(out.profile).toBe("dev");
    expect(out.paths[0]).toMatchObject({ read: "deny", write: "deny" });
    expect(out.paths[0]?.rule).toContain(`${cfg}:5`);
    expect(out.paths[1]).toMatchObject({ read: "allow", write: "allow" });
  });

  it("applies -c overrides and resolves relative paths against --cwd", () => {
    const sb = makeSandbox();
    sb.write("repo/sub/f.txt", "x");
    const r = sb.cli(["explain", "--json", "-c", 'default_permissions=":read-only"', "--cwd", join(sb.repo, "sub"), "f.txt"], { cwd: "/" });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as ExplainJson;
    expect(out.profile).toBe(":read-only");
    expect(out.paths[0]).toMatchObject({ path: join(sb.repo, "sub/f.txt"), read: "allow", write: "deny" });
  });

  it("decides domains from the host as written, with ports", () => {
    const sb = makeSandbox();
    const cfg = sb.write(
      "net.toml",
      ['default_permissions = "net"', "[permissions.net]", 'extends = ":workspace"', "[permissions.net.network]", "enabled = true", "[permissions.net.network.domains]", '"**.github.com" = "allow"', '"evil.github.com" = "deny"', ""].join("\n"),
    );
    const r = sb.cli(["explain", "--json", "--config", cfg, "--domain", "api.github.com:8443", "--domain", "evil.github.com", "--domain", "example.org", "--domain", "127.0.0.1"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as ExplainJson;
    expect(out.domains.map((d) => [d.host, d.port, d.decision])).toEqual([
      ["api.github.com", 8443, "allow"],
      ["evil.github.com", 443, "deny"],
      ["example.org", 443, "deny"],
      ["127.0.0.1", 443, "deny"],
    ]);
    expect(out.domains[1]?.rule).toContain(`${cfg}:8`);
  });
});

describe("env --json", () => {
  it("is exactly the filtered environment plus CORDON_SANDBOX", () => {
    const sb = makeSandbox();
    const r = sb.cli(["env", "--json"], { env: { FOO: "bar", GH_TOKEN: "t0k3n", db_password: "pw" } });
    expect(r.code, r.stderr).toBe(0);
    const env = JSON.parse(r.stdout) as Record<string, string>;
    expect(env.FOO).toBe("bar");
    expect(env.CORDON_SANDBOX).toBe(":workspace");
    expect(env).not.toHaveProperty("GH_TOKEN");
    expect(env).not.toHaveProperty("db_password");
    expect(r.stdout).not.toContain("t0k3n");
  });

  it("follows [shell_environment_policy] from config", () => {
    const sb = makeSandbox();
    sb.write("cordon-home/config.toml", ['[shell_environment_policy]', 'inherit = "none"', 'set = { ONLY = "this" }', ""].join("\n"));
    const r = sb.cli(["env", "--json"], { env: { FOO: "bar" } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ONLY: "this", CORDON_SANDBOX: ":workspace" });
  });
});

describe("profiles --json", () => {
  it("lists built-ins and defined profiles with their sources", () => {
    const sb = makeSandbox();
    const cfg = sb.write("cordon-home/config.toml", ['default_permissions = "mine"', "[permissions.mine]", 'extends = ":read-only"', ""].join("\n"));
    const r = sb.cli(["profiles", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; allowed: boolean; default: boolean; source: string }[];
    const byName = new Map(list.map((p) => [p.name, p]));
    expect(byName.get(":workspace")).toEqual({ name: ":workspace", allowed: true, default: false, source: "builtin" });
    expect(byName.get(":read-only")?.source).toBe("builtin");
    expect(byName.get(":danger-full-access")?.allowed).toBe(true);
    expect(byName.get("mine")).toMatchObject({ allowed: true, default: true });
    expect(byName.get("mine")?.source).toContain(`${cfg}:2`);
  });
});

describe("check and bad input", () => {
  it("accepts a valid configuration with exit 0", () => {
    const sb = makeSandbox();
    sb.write("cordon-home/config.toml", '[permissions.a]\nextends = ":workspace"\n');
    expect(sb.cli(["check"]).code).toBe(0);
  });

  const bad: [string, string, RegExp][] = [
    ["malformed TOML", 'default_permissions = "x\n', /config\.toml:1/],
    ["an unknown key, with a hint", "[permissions.a.network]\nenabeld = true\n", /config\.toml:2.*enabeld.*enabled/s],
    ["a wrong type", "[permissions.a.network]\nenabled = \"yes\"\n", /config\.toml:2.*enabled/s],
    ["an extends cycle", '[permissions.a]\nextends = "b"\n[permissions.b]\nextends = "a"\n', /a -> b -> a|b -> a -> b/],
    ["a relative path", '[permissions.a.filesystem]\n"rel/path" = "read"\n', /config\.toml:2.*must be absolute/s],
    ["a read glob", '[permissions.a.filesystem]\n"/x/*.txt" = "read"\n', /only supports `deny`/],
    ["a root-prefix glob", '[permissions.a.filesystem]\n"/**/*.env" = "deny"\n', /config\.toml:2/],
    ["glob_scan_max_depth = 0", "[permissions.a.filesystem]\nglob_scan_max_depth = 0\n", /at least 1/],
    ["a reserved profile name", '[permissions.":mine"]\ndescription = "x"\n', /reserved/],
  ];
  for (const [what, text, message] of bad) {
    it(`reports ${what} in one clear line with exit 2`, () => {
      const sb = makeSandbox();
      sb.write("cordon-home/config.toml", text);
      const r = sb.cli(["check"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.stdout).toBe("");
    });
  }

  it("reports a missing --config file", () => {
    const sb = makeSandbox();
    const r = sb.cli(["check", "--config", "/nonexistent/cordon.toml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("/nonexistent/cordon.toml");
  });
});

describe("managed requirements", () => {
  function managed() {
    const sb = makeSandbox();
    const req = sb.write(
      "req.toml",
      ['default_permissions = "acme"', "[allowed_permission_profiles]", '"acme" = true', "[permissions.acme]", 'extends = ":workspace"', ""].join("\n"),
    );
    return { sb, req };
  }

  it("refuses a disallowed --profile with exit 3, naming the profile and the requirements file", () => {
    const { sb, req } = managed();
    const r = sb.cli(["explain", "--json", "--requirements", req, "-p", ":workspace"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(":workspace");
    expect(r.stderr).toContain(req);
  });

  it("uses the managed default when nothing is selected", () => {
    const { sb, req } = managed();
    const r = sb.cli(["explain", "--json", "--requirements", req]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as ExplainJson).profile).toBe("acme");
  });

  it("marks disallowed profiles in `profiles --json`", () => {
    const { sb, req } = managed();
    const list = JSON.parse(sb.cli(["profiles", "--json", "--requirements", req]).stdout) as { name: string; allowed: boolean; default: boolean }[];
    expect(list.find((p) => p.name === ":workspace")?.allowed).toBe(false);
    expect(list.find((p) => p.name === "acme")).toMatchObject({ allowed: true, default: true });
  });

  it("`run` refuses with 125 and never starts the command", () => {
    const { sb, req } = managed();
    const marker = join(sb.repo, "ran");
    const r = sb.cli(["run", "--requirements", req, "-p", ":danger-full-access", "--", "touch", marker]);
    expect(r.code).toBe(125);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("schema", () => {
  it("prints the config and requirements JSON Schemas", () => {
    const sb = makeSandbox();
    const config = JSON.parse(sb.cli(["schema"]).stdout) as { $schema?: string; properties?: Record<string, unknown> };
    expect(config.$schema).toMatch(/json-schema/);
    expect(config.properties).toHaveProperty("permissions");
    const req = JSON.parse(sb.cli(["schema", "requirements"]).stdout) as { properties?: Record<string, unknown> };
    expect(req.properties).toHaveProperty("allowed_permission_profiles");
    expect(sb.cli(["schema", "bogus"]).code).toBe(2);
  });

  it("prints exactly the committed schema files (the bundled zod generates the same schema)", () => {
    const sb = makeSandbox();
    const schemaDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "packages", "policy-model", "schema");
    for (const kind of ["config", "requirements"]) {
      const r = sb.cli(["schema", kind]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, `cordon schema ${kind}`).toBe(readFileSync(join(schemaDir, `${kind}.schema.json`), "utf8"));
    }
  });
});

describe("plan", () => {
  it("prints a macOS plan on any OS", () => {
    const sb = makeSandbox();
    const r = sb.cli(["plan", "--platform", "macos", "--", "echo", "hi"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { platform: string; ok: boolean; plan: unknown };
    expect(out).toMatchObject({ platform: "macos", ok: true });
    expect(JSON.stringify(out.plan)).toContain("deny default");
  });

  it("prints a Windows plan or a refusal list with exit 3", () => {
    const sb = makeSandbox();
    const r = sb.cli(["plan", "--platform", "windows", "--", "cmd"]);
    const out = JSON.parse(r.stdout) as { platform: string; ok: boolean; refusal?: { rule: string; reason: string }[] };
    expect(out.platform).toBe("windows");
    if (out.ok) expect(r.code).toBe(0);
    else {
      expect(r.code).toBe(3);
      expect(out.refusal?.length).toBeGreaterThan(0);
    }
  });

  it("rejects an unknown platform", () => {
    expect(makeSandbox().cli(["plan", "--platform", "beos", "--", "true"]).code).toBe(2);
  });
});
