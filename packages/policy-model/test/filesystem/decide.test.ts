// Tests for decidePath (spec 4.3-4.5): precedence, globs, protected paths, sentences, and a property
// test against an independent brute-force evaluator.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decidePath } from "../../src/filesystem/decide.js";
import type { Access, PathRule, ProtectedPath } from "../../src/resolved-policy.js";
import { CONFIG, denyGlob, policy, rule } from "./helpers.js";

const access = (d: { read: boolean; write: boolean }): string => (d.write ? "rw" : d.read ? "r" : "-");
const check = (p: ReturnType<typeof policy>, path: string): string => access(decidePath(p, path));

function metadata(path: string, root: string, state: ProtectedPath["state"] = "directory", preventCreation = state === "missing"): ProtectedPath {
  return { path, reason: "metadata", name: path.slice(root.length + 1), root, state, preventCreation };
}

describe("resolution of one path (4.3)", () => {
  it("the spec's example: /repo write, /repo/secrets deny, /repo/secrets/public-keys read", () => {
    const p = policy({ rules: [rule("/repo", "write", 3), rule("/repo/secrets", "deny", 4), rule("/repo/secrets/public-keys", "read", 5)] });
    expect(check(p, "/repo/x")).toBe("rw");
    expect(check(p, "/repo")).toBe("rw");
    expect(check(p, "/repo/secrets/a")).toBe("-");
    expect(check(p, "/repo/secrets")).toBe("-");
    expect(check(p, "/repo/secrets/public-keys/k")).toBe("r");
    const d = decidePath(p, "/repo/secrets/a");
    expect(d.rule).toBe(`"/repo/secrets" = "deny" (${CONFIG}:4)`);
    expect(d.winner?.path).toBe("/repo/secrets");
  });
  it("prefix confusion: /repo/ab is not under /repo/a", () => {
    const p = policy({ rules: [rule("/repo", "read"), rule("/repo/a", "deny"), rule("/repo/a.b", "write")] });
    expect(check(p, "/repo/ab")).toBe("r");
    expect(check(p, "/repo/ab/c")).toBe("r");
    expect(check(p, "/repo/a/c")).toBe("-");
    expect(check(p, "/repo/a.b/c")).toBe("rw");
    expect(check(p, "/repo/a.bc")).toBe("r");
  });
  it("a write subtree reopened inside a deny (Codex README example)", () => {
    const p = policy({ rules: [rule("/repo", "write"), rule("/repo/a", "deny"), rule("/repo/a/b", "write")] });
    expect(check(p, "/repo/a/x")).toBe("-");
    expect(check(p, "/repo/a/b/x")).toBe("rw");
  });
  it("equal depth: deny > write > read, in any order", () => {
    for (const order of [["read", "write", "deny"], ["deny", "read", "write"], ["write", "deny", "read"]] as Access[][]) {
      expect(check(policy({ rules: order.map((a) => rule("/repo", a)) }), "/repo/x")).toBe("-");
    }
    expect(check(policy({ rules: [rule("/repo", "read"), rule("/repo", "write")] }), "/repo/x")).toBe("rw");
    expect(check(policy({ rules: [rule("/repo", "write"), rule("/repo", "read")] }), "/repo/x")).toBe("rw");
  });
  it("no candidate → deny, with the default-deny sentence", () => {
    const d = decidePath(policy({ rules: [rule("/repo", "write")] }), "/etc/passwd");
    expect(access(d)).toBe("-");
    expect(d.rule).toBe("no rule covers this path (default deny)");
    expect(d.winner).toBeUndefined();
  });
  it(":danger-full-access → read and write everywhere", () => {
    const d = decidePath(policy({ rules: [], unrestricted: true }), "/etc/shadow");
    expect(access(d)).toBe("rw");
    expect(d.rule).toContain("no sandbox");
  });
  it("paths are normalized; relative paths resolve against cwd and ~ against home", () => {
    const p = policy({ rules: [rule("/repo", "write"), rule("/home/u/.ssh", "deny"), rule("/home/u", "read")] });
    expect(decidePath(p, "/repo/a/../b/").path).toBe("/repo/b");
    expect(decidePath(p, "src/x").path).toBe("/repo/src/x");
    expect(check(p, "src/x")).toBe("rw");
    expect(check(p, "../etc")).toBe("-");
    expect(check(p, "~/.ssh/id_rsa")).toBe("-");
    expect(check(p, "~/notes")).toBe("r");
  });
  it("case: folded on macOS and Windows, exact on Linux", () => {
    const rules = [rule("/repo", "write"), rule("/repo/secrets", "deny")];
    expect(check(policy({ rules }), "/repo/SECRETS/k")).toBe("rw");
    expect(check(policy({ rules, platform: "macos" }), "/repo/SECRETS/k")).toBe("-");
    const win = policy({ rules: [rule("C:/Repo", "write"), rule("C:/Repo/Secrets", "deny")], platform: "windows", cwd: "C:/Repo" });
    expect(check(win, "c:\\repo\\secrets\\k")).toBe("-");
    expect(check(win, "c:\\repo\\src\\k")).toBe("rw");
    expect(check(win, "docs\\x")).toBe("rw");
  });
  it("sentences name symbolic and nested entries with their concrete path", () => {
    const nested: PathRule = { path: "/repo/docs", access: "read", origin: { kind: "file", file: CONFIG, line: 9 }, entry: ":workspace_roots docs", symbolic: ":workspace_roots" };
    const tilde: PathRule = { path: "/home/u/code", access: "write", origin: { kind: "cli", text: 'permissions.p.filesystem."~/code"="write"' }, entry: "~/code" };
    const spaced: PathRule = { path: "/my dir/sub x", access: "read", origin: { kind: "builtin" }, entry: "/my dir sub x" };
    const p = policy({ rules: [nested, tilde, spaced] });
    expect(decidePath(p, "/repo/docs/a").rule).toBe(`":workspace_roots" = { "docs" = "read" } → /repo/docs (${CONFIG}:9)`);
    expect(decidePath(p, "/home/u/code/x").rule).toBe(`"~/code" = "write" → /home/u/code (-c permissions.p.filesystem."~/code"="write")`);
    expect(decidePath(p, "/my dir/sub x/f").rule).toBe(`"/my dir" = { "sub x" = "read" } → /my dir/sub x (builtin)`);
  });
});

describe("deny globs (4.5)", () => {
  const rules = [rule("/", "read"), rule("/repo", "write")];
  const globs = [denyGlob("/repo", "**/*.env"), denyGlob("/repo/secrets", "**"), denyGlob("/repo", "**/node_modules")];
  const p = policy({ rules, denyGlobs: globs });
  it("denies read and write of a match, whether or not the file exists", () => {
    expect(check(p, "/repo/.env")).toBe("-");
    expect(check(p, "/repo/a/b/prod.env")).toBe("-");
    expect(check(p, "/repo/a/b/prod.envx")).toBe("rw");
    expect(check(p, "/repo/secrets")).toBe("-");
    expect(check(p, "/repo/secrets/x/y")).toBe("-");
    expect(check(p, "/repo/secretsx")).toBe("rw");
    const d = decidePath(p, "/repo/a/.env");
    expect(d.deniedByGlob?.pattern).toBe("/repo/**/*.env");
    expect(d.rule).toBe(`deny glob "**/*.env" under :workspace_roots → /repo/**/*.env (${CONFIG}:9)`);
  });
  it("a glob matching a directory denies everything beneath it", () => {
    expect(check(p, "/repo/web/node_modules/pkg/index.js")).toBe("-");
    expect(check(p, "/repo/x.env/inner")).toBe("-");
    expect(check(p, "/repo/web/node_modulesx/a")).toBe("rw");
  });
  it("a glob never reaches outside its base", () => {
    expect(check(p, "/other/.env")).toBe("r");
    expect(check(p, "/.env")).toBe("r");
  });
  it("beats a deeper explicit write rule", () => {
    const q = policy({ rules: [...rules, rule("/repo/conf/prod.env", "write")], denyGlobs: globs });
    expect(check(q, "/repo/conf/prod.env")).toBe("-");
  });
  it("case-insensitive on macOS and Windows, sensitive on Linux", () => {
    expect(check(p, "/repo/PROD.ENV")).toBe("rw");
    expect(check(policy({ rules, denyGlobs: globs, platform: "macos" }), "/repo/PROD.ENV")).toBe("-");
    expect(check(policy({ rules, denyGlobs: globs, platform: "macos" }), "/Repo/Secrets/k")).toBe("-");
  });
  it("when the winning rule already denies, the sentence names that rule", () => {
    const q = policy({ rules: [...rules, rule("/repo/secrets", "deny", 4)], denyGlobs: globs });
    const d = decidePath(q, "/repo/secrets/k");
    expect(d.rule).toBe(`"/repo/secrets" = "deny" (${CONFIG}:4)`);
    expect(d.deniedByGlob).toBeDefined();
  });
  it("a top-level glob is described by its key", () => {
    const g = { pattern: "/repo/**/*.pem", base: "/repo", origin: { kind: "file" as const, file: CONFIG, line: 2 }, entry: "/repo/**/*.pem" };
    expect(decidePath(policy({ rules, denyGlobs: [g] }), "/repo/k.pem").rule).toBe(`deny glob "/repo/**/*.pem" (${CONFIG}:2)`);
  });
});

describe("protected paths (4.4)", () => {
  const rules = [rule("/repo", "write")];
  const prot = [metadata("/repo/.git", "/repo"), metadata("/repo/.codex", "/repo", "missing")];
  it("metadata under a writable root is read-only; siblings stay writable (control)", () => {
    const p = policy({ rules, protectedPaths: prot });
    expect(check(p, "/repo/.git/config")).toBe("r");
    expect(check(p, "/repo/.git")).toBe("r");
    expect(check(p, "/repo/.gitignore")).toBe("rw");
    expect(check(p, "/repo/.github/x")).toBe("rw");
    const d = decidePath(p, "/repo/.git/hooks/pre-commit");
    expect(d.rule).toBe(`protected metadata .git under writable root /repo (builtin); read allowed by "/repo" = "write" (${CONFIG}:1)`);
    expect(d.protectedBy?.path).toBe("/repo/.git");
  });
  it("a missing protected entry cannot be created", () => {
    const d = decidePath(policy({ rules, protectedPaths: prot }), "/repo/.codex/config.toml");
    expect(access(d)).toBe("r");
    expect(d.rule).toContain("missing and not creatable");
  });
  it("a missing .git that may be created (parent repository) does not restrict", () => {
    const p = policy({ rules, protectedPaths: [metadata("/repo/.git", "/repo", "missing", false)] });
    expect(check(p, "/repo/.git/config")).toBe("rw");
  });
  it("an explicit write rule inside the entry reopens only that subtree", () => {
    const p = policy({ rules: [...rules, rule("/repo/.git/objects", "write")], protectedPaths: prot });
    expect(check(p, "/repo/.git/objects/ab/cdef")).toBe("rw");
    expect(check(p, "/repo/.git/config")).toBe("r");
    expect(check(p, "/repo/.git/hooks/x")).toBe("r");
  });
  it("a read-only rule inside a protected entry stays read-only; a deny stays denied", () => {
    const p = policy({ rules: [...rules, rule("/repo/.git/info", "read"), rule("/repo/.git/secret", "deny")], protectedPaths: prot });
    expect(check(p, "/repo/.git/info/x")).toBe("r");
    expect(check(p, "/repo/.git/secret/x")).toBe("-");
  });
  it("protection never grants read where the rules deny", () => {
    const p = policy({ rules: [rule("/repo", "write"), rule("/repo/.git", "deny")], protectedPaths: prot });
    expect(check(p, "/repo/.git/config")).toBe("-");
  });
  it("a gitdir target is read-only as well", () => {
    const target: ProtectedPath = { path: "/repo/.bare", reason: "gitdir-target", name: ".git", root: "/repo", state: "directory", preventCreation: false };
    const d = decidePath(policy({ rules, protectedPaths: [target] }), "/repo/.bare/config");
    expect(access(d)).toBe("r");
    expect(d.rule).toContain("protected gitdir /repo/.bare of /repo/.git");
  });
  it("policy paths are read-only whatever the rules say, even with an explicit write rule on them", () => {
    const pol: ProtectedPath = { path: "/home/u/.cordon", reason: "policy", name: "CORDON_HOME", state: "directory", preventCreation: false };
    const p = policy({ rules: [rule("/home/u", "write"), rule("/home/u/.cordon", "write"), rule("/home/u/.cordon/x", "write")], protectedPaths: [pol] });
    expect(check(p, "/home/u/.cordon/config.toml")).toBe("r");
    expect(check(p, "/home/u/.cordon/x/y")).toBe("r");
    expect(check(p, "/home/u/.cordonx")).toBe("rw");
    expect(decidePath(p, "/home/u/.cordon/config.toml").rule).toContain("cordon policy path /home/u/.cordon (CORDON_HOME) is read-only");
  });
  it(":danger-full-access ignores protection (there is no sandbox)", () => {
    const pol: ProtectedPath = { path: "/home/u/.cordon", reason: "policy", name: "CORDON_HOME", state: "directory", preventCreation: false };
    expect(check(policy({ rules: [], unrestricted: true, protectedPaths: [pol] }), "/home/u/.cordon/config.toml")).toBe("rw");
  });
});

describe("property: decidePath agrees with a brute-force evaluator", () => {
  const names = ["a", "b", "ab", "A"];
  const pathArb = fc.array(fc.constantFrom(...names), { maxLength: 4 });
  const ruleArb = fc.record({ comps: pathArb, access: fc.constantFrom<Access>("read", "write", "deny") });
  const rank: Record<Access, number> = { read: 0, write: 1, deny: 2 };

  /** Independent reference: component arrays, explicit prefix test, max by (depth, rank). */
  function reference(rules: { comps: string[]; access: Access }[], query: string[], fold: boolean): string {
    const eq = (x: string, y: string): boolean => (fold ? x.toLowerCase() === y.toLowerCase() : x === y);
    let best: { depth: number; rank: number; access: Access } | null = null;
    for (const r of rules) {
      if (r.comps.length > query.length) continue;
      if (!r.comps.every((c, i) => eq(c, query[i]!))) continue;
      const cand = { depth: r.comps.length, rank: rank[r.access], access: r.access };
      if (best === null || cand.depth > best.depth || (cand.depth === best.depth && cand.rank > best.rank)) best = cand;
    }
    if (best === null || best.access === "deny") return "-";
    return best.access === "write" ? "rw" : "r";
  }

  it("for random rule sets, paths and rule orders (Linux and macOS case rules)", () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 8 }), fc.array(pathArb, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.integer(), (rs, queries, macos, seed) => {
        const rules = rs.map((r, i) => rule("/" + r.comps.join("/"), r.access, i + 1));
        const shuffled = [...rules].sort((x, y) => ((x.origin as { line: number }).line * 7919 + seed) % 97 - ((y.origin as { line: number }).line * 7919 + seed) % 97);
        const platform = macos ? "macos" : "linux";
        for (const q of queries) {
          const path = "/" + q.join("/");
          const expected = reference(rs, q, macos);
          expect(check(policy({ rules, platform }), path), `${path} with ${JSON.stringify(rs)}`).toBe(expected);
          expect(check(policy({ rules: shuffled, platform }), path)).toBe(expected);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
