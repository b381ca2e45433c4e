// Tests that the committed example config and requirements (test/fixtures/config) load, check and resolve as documented.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkConfig, listProfiles, loadConfig, resolvePolicy } from "../../src/config/resolve.js";
import { expectCordonError, makeFixture } from "./helpers.js";

const fixtures = join(import.meta.dirname, "..", "fixtures", "config");

function exampleTree() {
  const fx = makeFixture({ "repo/.git/": "", "home/code/shared-lib/": "" });
  fx.mkdir("cordon-home");
  copyFileSync(join(fixtures, "example-config.toml"), fx.path("cordon-home/config.toml"));
  return fx;
}

describe("example fixtures", () => {
  it("the example config checks cleanly and resolves its default profile", () => {
    const fx = exampleTree();
    expect(checkConfig(fx.options("repo"))).toEqual([]);
    const policy = resolvePolicy(fx.options("repo"));
    expect(policy.profile).toBe("dev");
    expect(policy.workspaceRoots).toEqual([fx.path("repo"), fx.path("home/code/shared-lib")]);
    expect(policy.network.enabled).toBe(true);
    expect(policy.network.domains.map((d) => d.pattern).sort()).toEqual(["**.github.com", "evil.github.com", "registry.npmjs.org"]);
    expect(policy.filesystem.globScanMaxDepth).toBe(4);
    expect(policy.environment["CI"]).toBe("1");
    expect(policy.filesystem.rules.find((rule) => rule.path === fx.path("home/.ssh"))?.access).toBe("deny");
  });

  it("the example requirements narrow the choice and supply the default", () => {
    const fx = exampleTree();
    const requirements = join(fixtures, "example-requirements.toml");
    const options = fx.options("repo", { requirementsFiles: [requirements] });
    const rows = listProfiles(loadConfig(options));
    expect(rows.map((row) => [row.name, row.allowed, row.default])).toEqual([
      [":read-only", true, false],
      [":workspace", true, false],
      [":danger-full-access", false, false],
      ["dev", true, true],
      ["review", false, false],
      ["locked", true, false],
    ]);
    expect(resolvePolicy(options).profile).toBe("dev");
    expect(resolvePolicy({ ...options, profile: "locked" }).filesystem.rules.find((rule) => rule.path === "/tmp")?.access).toBe("read");
    expect(expectCordonError(() => resolvePolicy({ ...options, profile: "review" }), "E_NOT_ALLOWED").exitCode).toBe(3);
    expectCordonError(() => resolvePolicy({ ...options, profile: ":danger-full-access" }), "E_NOT_ALLOWED");
  });
});
