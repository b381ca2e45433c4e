import fc from "fast-check";
import { decidePath, type Access, type ResolvedPolicy } from "@cordon/policy-model";
import { describe, expect, it } from "vitest";
import { planFor } from "../src/plan.js";
import type { MacosPlan } from "../src/types.js";
import { command, denyGlob, makePolicy, protectedPath, rule, socket, workspacePolicy } from "./helpers/policy.js";
import { referenceDecision } from "./helpers/reference.js";
import { evaluate, readProfile, stringLiterals } from "./helpers/sbpl-reader.js";

function plan(policy: ResolvedPolicy, facts: Parameters<typeof planFor>[2] = {}): MacosPlan {
  const result = planFor(policy, command, facts);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
  return result.plan;
}

/** Seatbelt's verdicts for a plan (through the test reader/evaluator). */
function verdicts(p: MacosPlan) {
  const rules = readProfile(p.profile!);
  return {
    read: (path: string) => evaluate(rules, p.params, "file-read-data", path),
    write: (path: string) => evaluate(rules, p.params, "file-write-data", path),
    unlink: (path: string) => evaluate(rules, p.params, "file-write-unlink", path),
    exec: (path: string) => evaluate(rules, p.params, "process-exec", path),
    map: (path: string) => evaluate(rules, p.params, "file-map-executable", path),
    stat: (path: string) => evaluate(rules, p.params, "file-read-metadata", path),
  };
}

describe("profile text", () => {
  const policies: [string, ResolvedPolicy][] = [
    ["workspace", workspacePolicy()],
    ["workspace+globs", workspacePolicy({ denyGlobs: [denyGlob("/Users/u/repo/**/*.env", "/Users/u/repo")] })],
    ["minimal", makePolicy({ minimal: true, rules: [rule("/Users/u/repo", "write")] })],
    ["network", workspacePolicy({ network: { enabled: true, unixSockets: [socket("/var/run/docker.sock")] } })],
  ];

  for (const [name, policy] of policies) {
    it(`${name}: parses, uses only known operations and filters, and every param is defined and used`, () => {
      const p = plan(policy, { proxyPorts: [43123] });
      const rules = readProfile(p.profile!);
      expect(rules.length).toBeGreaterThan(5);
      const referenced = new Set([...p.profile!.matchAll(/\(param "([A-Z0-9_]+)"\)/g)].map((m) => m[1]));
      expect([...referenced].sort()).toEqual(Object.keys(p.params).sort());
    });

    it(`${name}: no policy path appears in the profile text; every one travels as -D`, () => {
      const p = plan(policy, { proxyPorts: [43123] });
      const paths = [
        ...policy.filesystem.rules.map((r) => r.path),
        ...policy.filesystem.protectedPaths.map((r) => r.path),
        ...policy.filesystem.denyGlobs.map((g) => g.base),
        ...policy.network.unixSockets.map((s) => s.path),
      ].filter((path) => path !== "/");
      for (const path of paths) {
        expect(p.profile!.includes(path), path).toBe(false);
        expect(Object.values(p.params)).toContain(path);
      }
      for (const literal of stringLiterals(p.profile!)) {
        for (const path of paths) expect(literal.includes(path)).toBe(false);
      }
      const d = p.argv.indexOf("--");
      expect(p.argv.slice(0, 3)).toEqual(["/usr/bin/sandbox-exec", "-p", p.profile]);
      expect(p.argv.slice(d + 1)).toEqual(command.argv);
      const defines = p.argv.slice(3, d);
      expect(defines.length).toBe(2 * Object.keys(p.params).length);
      for (let i = 0; i < defines.length; i += 2) {
        expect(defines[i]).toBe("-D");
        const [key, ...rest] = defines[i + 1]!.split("=");
        expect(p.params[key!]).toBe(rest.join("="));
      }
    });
  }

  it("grants no LaunchServices, Apple Events, lsopen, keychain or pasteboard (MAC-04, MAC-09)", () => {
    const p = plan(workspacePolicy({ network: { enabled: true } }), { proxyPorts: [1080] });
    for (const banned of ["lsopen", "appleevent", "launchservices", "coreservices", "SecurityServer", "securityd", "pboard", "mDNSResponder", "no-sandbox", "(allow default)"]) {
      expect(p.profile!.toLowerCase().includes(banned.toLowerCase()), banned).toBe(false);
    }
    expect(p.profile).toMatch(/^\(version 1\)\n; .*\n\(deny default \(with message "cordon-sandbox"\)\)/);
  });
});

describe("most specific wins (spec 4.3)", () => {
  it("the spec example: /repo write, /repo/secrets deny, /repo/secrets/public-keys read", () => {
    const v = verdicts(plan(makePolicy({ rules: [rule("/repo", "write"), rule("/repo/secrets", "deny"), rule("/repo/secrets/public-keys", "read")] })));
    expect([v.read("/repo/x"), v.write("/repo/x")]).toEqual([true, true]);
    expect([v.read("/repo/secrets/a"), v.write("/repo/secrets/a")]).toEqual([false, false]);
    expect([v.read("/repo/secrets"), v.write("/repo/secrets")]).toEqual([false, false]);
    expect([v.read("/repo/secrets/public-keys/k"), v.write("/repo/secrets/public-keys/k")]).toEqual([true, false]);
    expect([v.read("/repo2/x"), v.read("/repob")]).toEqual([false, false]);
  });

  it("reopened write under a deny, and a deny under that (write → deny → write → deny)", () => {
    const v = verdicts(plan(makePolicy({ rules: [rule("/r", "write"), rule("/r/a", "deny"), rule("/r/a/b", "write"), rule("/r/a/b/c", "deny")] })));
    expect([v.write("/r/x"), v.read("/r/a/x"), v.write("/r/a/b/x"), v.read("/r/a/b/c/x")]).toEqual([true, false, true, false]);
  });

  it("equal roots: deny beats write beats read", () => {
    const v = verdicts(plan(makePolicy({ rules: [rule("/r", "read"), rule("/r", "write"), rule("/q", "write"), rule("/q", "deny")] })));
    expect([v.read("/r/x"), v.write("/r/x"), v.read("/q/x"), v.write("/q/x")]).toEqual([true, true, false, false]);
  });

  it("no candidate means deny", () => {
    const v = verdicts(plan(makePolicy({ rules: [rule("/r", "write")] })));
    expect([v.read("/etc/passwd"), v.write("/other"), v.exec("/bin/sh")]).toEqual([false, false, false]);
  });

  it("exec and executable mapping follow readability", () => {
    const v = verdicts(plan(makePolicy({ rules: [rule("/", "read"), rule("/r/secret", "deny")] })));
    expect([v.exec("/bin/sh"), v.map("/usr/lib/libSystem.B.dylib")]).toEqual([true, true]);
    expect([v.exec("/r/secret/tool"), v.map("/r/secret/lib.dylib")]).toEqual([false, false]);
  });

  it("directories above a readable root expose metadata only", () => {
    const v = verdicts(plan(makePolicy({ rules: [rule("/Users/u/repo", "read")] })));
    expect([v.stat("/Users"), v.stat("/Users/u"), v.read("/Users/u"), v.stat("/Users/other")]).toEqual([true, true, false, false]);
  });
});

describe("logical and canonical spellings (FS-14, MAC-03)", () => {
  it("/tmp rules also hold for /private/tmp, carve-outs included", () => {
    const p = plan(makePolicy({ rules: [rule("/tmp", "write"), rule("/tmp/locked", "read"), rule("/var/folders/x", "write")] }));
    const v = verdicts(p);
    expect([v.write("/tmp/a"), v.write("/private/tmp/a"), v.write("/private/var/folders/x/f")]).toEqual([true, true, true]);
    expect([v.write("/tmp/locked/f"), v.write("/private/tmp/locked/f"), v.read("/private/tmp/locked/f")]).toEqual([false, false, true]);
    expect(Object.values(p.params)).toEqual(expect.arrayContaining(["/tmp", "/private/tmp", "/private/tmp/locked", "/private/var/folders/x"]));
  });

  it("uses realpath facts for symlinked roots, and carve-outs follow the target", () => {
    const facts = { canonicalPaths: { "/Users/u/work": "/Volumes/data/work", "/Users/u/work/secret": "/Volumes/data/work/secret" } };
    const v = verdicts(plan(makePolicy({ rules: [rule("/Users/u/work", "write"), rule("/Users/u/work/secret", "deny")] }), facts));
    expect([v.write("/Volumes/data/work/a"), v.read("/Volumes/data/work/secret/k"), v.write("/Volumes/data/work/secret/k")]).toEqual([true, false, false]);
  });

  it("adds NFC and NFD spellings of non-ASCII paths (FS-22)", () => {
    const nfc = "/Users/u/caf\u00e9";
    const p = plan(makePolicy({ rules: [rule(nfc, "write")] }));
    expect(Object.values(p.params)).toEqual(expect.arrayContaining([nfc, nfc.normalize("NFD")]));
  });
});

describe("protected metadata and policy paths (spec 4.4)", () => {
  it(".git stays read-only under a writable root; a missing .cordon cannot be created", () => {
    const v = verdicts(plan(workspacePolicy()));
    expect([v.write("/Users/u/repo/src/a.ts"), v.read("/Users/u/repo/.git/config"), v.write("/Users/u/repo/.git/config")]).toEqual([true, true, false]);
    expect([v.write("/Users/u/repo/.git"), v.write("/Users/u/repo/.cordon"), v.write("/Users/u/repo/.cordon/config.toml")]).toEqual([false, false, false]);
    expect(v.write("/Users/u/repo/.cordonx")).toBe(true);
  });

  it("a missing .git with git metadata above stays creatable (preventCreation false)", () => {
    const v = verdicts(plan(makePolicy({ rules: [rule("/r", "write")], protectedPaths: [protectedPath("/r/sub/.git", { state: "missing", preventCreation: false })] })));
    expect(v.write("/r/sub/.git/HEAD")).toBe(true);
  });

  it("an explicit write rule at or inside .git reopens it; .codex stays protected", () => {
    const base = { protectedPaths: [protectedPath("/r/.git"), protectedPath("/r/.codex", { name: ".codex" })] };
    const atGit = verdicts(plan(makePolicy({ ...base, rules: [rule("/r", "write"), rule("/r/.git", "write")] })));
    expect([atGit.write("/r/.git/config"), atGit.write("/r/.codex/x")]).toEqual([true, false]);
    const inside = verdicts(plan(makePolicy({ ...base, rules: [rule("/r", "write"), rule("/r/.git/hooks", "write")] })));
    expect([inside.write("/r/.git/hooks/pre-commit"), inside.write("/r/.git/config")]).toEqual([true, false]);
  });

  it("cordon's own policy files are read-only whatever the rules say", () => {
    const policyFile = protectedPath("/Users/u/.cordon", { reason: "policy", name: "CORDON_HOME" });
    const v = verdicts(plan(makePolicy({ rules: [rule("/Users/u", "write"), rule("/Users/u/.cordon", "write"), rule("/Users/u/.cordon/x", "write")], protectedPaths: [policyFile] })));
    expect([v.read("/Users/u/.cordon/config.toml"), v.write("/Users/u/.cordon/config.toml"), v.write("/Users/u/.cordon/x/y")]).toEqual([true, false, false]);
    expect(v.write("/Users/u/other")).toBe(true);
  });
});

describe("deny globs (spec 4.5)", () => {
  const globPolicy = (): ResolvedPolicy =>
    workspacePolicy({ denyGlobs: [denyGlob("/Users/u/repo/**/*.env", "/Users/u/repo"), denyGlob("/tmp/w/*.key", "/tmp/w")] });

  it("deny read and write of matches anywhere below the base, any case, existing or not", () => {
    const v = verdicts(plan(globPolicy()));
    for (const path of ["/Users/u/repo/.env", "/Users/u/repo/a/b/c/late.env", "/Users/u/repo/.ENV", "/Users/u/repo/SECRETS/Key.Env"]) {
      expect([v.read(path), v.write(path), v.unlink(path), v.exec(path)], path).toEqual([false, false, false, false]);
    }
    expect([v.read("/Users/u/repo/.envrc"), v.write("/Users/u/repo/env.txt")]).toEqual([true, true]);
    expect(v.read("/Users/u/other/.env")).toBe(true);
  });

  it("globs under /tmp hold for /private/tmp as well", () => {
    const v = verdicts(plan(globPolicy()));
    expect([v.read("/tmp/w/a.key"), v.read("/private/tmp/w/a.key"), v.read("/private/tmp/w/a.pub")]).toEqual([false, false, true]);
  });

  it("deny rules use the same operation names as the allows (MAC-01)", () => {
    const p = plan(globPolicy());
    const rules = readProfile(p.profile!);
    const denies = rules.filter((r) => r.action === "deny" && r.operations.includes("file-read*"));
    expect(denies.length).toBeGreaterThan(0);
    for (const d of denies) expect(d.operations).toEqual(["file-read*", "file-map-executable", "process-exec", "file-write*"]);
    const allowOps = new Set(rules.filter((r) => r.action === "allow").flatMap((r) => r.operations));
    for (const op of ["file-read*", "file-map-executable", "process-exec", "file-write*"]) expect(allowOps.has(op)).toBe(true);
    expect(allowOps.has("file-read-data")).toBe(false);
  });

  it("refuses a glob it cannot express, naming the rule and why", () => {
    const result = planFor(workspacePolicy({ denyGlobs: [denyGlob("/Users/u/repo/**/*é", "/Users/u/repo", "**/*é")] }), command);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.refusal).toEqual([{ rule: "**/*é (/cfg/config.toml:7)", reason: expect.stringContaining("non-ASCII character `é`") }]);
    }
  });
});

describe("rename hardening (FS-09, MAC-07)", () => {
  it("directories above denied, read-only and protected paths cannot be renamed; others can", () => {
    const v = verdicts(plan(workspacePolicy({ rules: [rule("/Users/u/repo/secrets", "deny"), rule("/Users/u/repo/docs", "read")] })));
    expect([v.unlink("/Users/u/repo"), v.unlink("/Users/u/repo/secrets"), v.unlink("/Users/u/repo/docs")]).toEqual([false, false, false]);
    expect([v.unlink("/Users/u/repo/src"), v.unlink("/Users/u/repo/src/a.ts")]).toEqual([true, true]);
  });

  it("every writable directory above a deny rule is pinned, up to the writable root", () => {
    const v = verdicts(plan(makePolicy({ rules: [rule("/", "read"), rule("/r", "write"), rule("/r/a/b/secret", "deny")] })));
    expect([v.unlink("/r/a"), v.unlink("/r/a/b"), v.unlink("/r")]).toEqual([false, false, false]);
    expect([v.unlink("/r/a/c"), v.unlink("/r/a/b/other"), v.write("/r/a/b/other")]).toEqual([true, true, true]);
  });

  it("a glob's base and the directories holding existing matches cannot be renamed", () => {
    const policy = workspacePolicy({ denyGlobs: [denyGlob("/Users/u/repo/**/*.env", "/Users/u/repo")] });
    const v = verdicts(plan(policy, { denyGlobMatches: ["/Users/u/repo/config/prod/.env"] }));
    expect([v.unlink("/Users/u/repo"), v.unlink("/Users/u/repo/config"), v.unlink("/Users/u/repo/config/prod")]).toEqual([false, false, false]);
    expect([v.unlink("/Users/u/repo/build"), v.write("/Users/u/repo/config/prod/app.json")]).toEqual([true, true]);
  });

  it("uses the specific file-write-unlink operation so it wins over file-write* allows in any order", () => {
    const rules = readProfile(plan(workspacePolicy()).profile!);
    const hardening = rules.filter((r) => r.action === "deny" && r.operations.includes("file-write-unlink"));
    expect(hardening).toHaveLength(1);
    expect(hardening[0]!.operations).toEqual(["file-write-unlink"]);
  });
});

describe("network (spec 5, MAC-06)", () => {
  it("disabled: no network rule at all", () => {
    const p = plan(workspacePolicy());
    expect(p.profile).not.toMatch(/\(allow network|system-socket/);
  });

  it("enabled: outbound only to the proxy's loopback ports, remote predicates only", () => {
    const p = plan(workspacePolicy({ network: { enabled: true } }), { proxyPorts: [48081, 43123] });
    expect(p.profile).toContain('(allow network-outbound (remote ip "localhost:43123"))');
    expect(p.profile).toContain('(allow network-outbound (remote ip "localhost:48081"))');
    expect(p.profile!.match(/\(allow network-outbound/g)).toHaveLength(2);
    expect(p.profile).not.toMatch(/local ip|network-bind|network-inbound|\(allow network-outbound\)|localhost:\*|AF_UNIX/);
    expect(p.network).toEqual({ enabled: true, proxyPorts: [43123, 48081], awaitingProxy: false });
    expect(p.env).toMatchObject({ HTTP_PROXY: "http://127.0.0.1:48081", https_proxy: "http://127.0.0.1:48081", ALL_PROXY: "http://127.0.0.1:48081", NO_PROXY: "" });
  });

  it("unix sockets are allowed by exact path, with or without the network", () => {
    for (const enabled of [false, true]) {
      const p = plan(makePolicy({ rules: [rule("/", "read")], network: { enabled, unixSockets: [socket("/var/run/docker.sock"), socket("/tmp/no.sock", "deny")] } }), { proxyPorts: [3128] });
      expect(p.profile).toContain("(allow system-socket (socket-domain AF_UNIX))");
      const rules = readProfile(p.profile!);
      const sock = (path: string): boolean => evaluate(rules, p.params, "network-outbound", path);
      expect([sock("/var/run/docker.sock"), sock("/private/var/run/docker.sock"), sock("/tmp/no.sock"), sock("/var/run/docker.sock2")]).toEqual([true, true, false, false]);
    }
  });
});

describe("differential: generated profile vs the spec's decision", () => {
  const TREE = ["/w", "/w/a", "/w/a/b", "/w/a/b/c", "/w/.git", "/w/.git/hooks", "/w/x", "/w/x/y", "/tmp/t", "/tmp/t/u"];
  const ruleArb = fc.record({ path: fc.constantFrom("/", ...TREE), access: fc.constantFrom<Access>("read", "write", "deny") });
  const protArb = fc.record({
    path: fc.constantFrom("/w/.git", "/w/a/.cordon", "/w/x", "/tmp/t/.git"),
    reason: fc.constantFrom("metadata", "policy", "gitdir-target") as fc.Arbitrary<"metadata" | "policy" | "gitdir-target">,
    state: fc.constantFrom("directory", "missing") as fc.Arbitrary<"directory" | "missing">,
    preventCreation: fc.boolean(),
  });
  const globArb = fc.constantFrom("/w/**/*.env", "/w/a/*", "/w/**/b", "/tmp/t/**/k*", "/w/{x,a/b}/**");
  const SAMPLES = ["/w/f", "/w/a/f", "/w/a/b/f", "/w/a/b/c/f.env", "/w/.git/config", "/w/.git/hooks/pre", "/w/x/y/z", "/w/x/.ENV", "/w/a/.cordon", "/w/a/.cordon/c",
    "/w/a/b", "/w/A/B/K", "/tmp/t/u/k1", "/tmp/t/u/K2", "/tmp/t/.git/x", "/w/.env", "/etc/x", "/w/xy"];

  const policyArb = fc
    .tuple(fc.array(ruleArb, { maxLength: 7 }), fc.array(protArb, { maxLength: 3 }), fc.array(globArb, { maxLength: 2 }))
    .map(([rules, prots, globs]) =>
      makePolicy({
        rules: rules.map((r) => rule(r.path, r.access)),
        protectedPaths: prots.map((p) => protectedPath(p.path, { reason: p.reason, state: p.state, preventCreation: p.preventCreation })),
        denyGlobs: globs.map((g) => denyGlob(g, g.slice(0, g.search(/[*{]/) - 1))),
      }),
    );

  it("agrees with policy-model's decidePath (what `cordon explain` prints) on every sampled path", () => {
    fc.assert(
      fc.property(policyArb, (policy) => {
        const v = verdicts(plan(policy));
        for (const path of SAMPLES) {
          const d = decidePath(policy, path);
          expect({ path, read: v.read(path), write: v.write(path) }).toEqual({ path, read: d.read, write: d.write });
        }
      }),
      { numRuns: 300, seed: 777 },
    );
  });

  it("agrees on read and write for every sampled path, under both spellings", () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 7 }), fc.array(protArb, { maxLength: 3 }), fc.array(globArb, { maxLength: 2 }), (rules, prots, globs) => {
        const policy = makePolicy({
          rules: rules.map((r) => rule(r.path, r.access)),
          protectedPaths: prots.map((p) => protectedPath(p.path, { reason: p.reason, state: p.state, preventCreation: p.preventCreation })),
          denyGlobs: globs.map((g) => denyGlob(g, g.slice(0, g.search(/[*{]/) - 1))),
        });
        const v = verdicts(plan(policy));
        for (const path of SAMPLES) {
          const expected = referenceDecision(policy, path);
          const canonical = path.startsWith("/tmp/") ? `/private${path}` : path;
          for (const spelling of [path, canonical]) {
            expect({ path: spelling, read: v.read(spelling), write: v.write(spelling) }).toEqual({ path: spelling, ...expected });
          }
        }
      }),
      { numRuns: 300, seed: 4242 },
    );
  });
});
