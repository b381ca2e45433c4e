// Planner unit tests: the ACEs, users, token and job planned for every rule shape (elevated mode).
import { describe, expect, it } from "vitest";
import { assumedFacts, ASSUMED_SETUP } from "../src/facts.js";
import { planFor } from "../src/planner.js";
import type { AcePlan, WindowsPlan } from "../src/plan-types.js";
import { ALL_ACCESS, MODIFY, READ_EXECUTE, WRITE_RIGHTS } from "../src/rights.js";
import { COMMAND, glob, policy, protectedPath, rule } from "./helpers.js";

const CAP = "S-1-5-21-11-22-33-44";
const USER = ASSUMED_SETUP.offlineUser.sid;
const hostFacts = (extra: Parameters<typeof assumedFacts>[0] = {}) => assumedFacts({ capabilitySid: CAP, ...extra });

function plan(p: ReturnType<typeof policy>, facts = hostFacts()): WindowsPlan {
  const result = planFor(p, COMMAND, facts);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
  return result.plan;
}
const acesAt = (pl: WindowsPlan, path: string): Omit<AcePlan, "reason">[] =>
  pl.aces.filter((a) => a.path.toUpperCase() === path.toUpperCase()).map(({ reason: _r, ...rest }) => rest);

describe("planFor (elevated)", () => {
  it(":workspace: read of C: needs no ACE; the repo gets modify for the user and the capability SID", () => {
    const pl = plan(policy());
    expect(pl.mode).toBe("elevated");
    expect(pl.user).toEqual(ASSUMED_SETUP.offlineUser);
    expect(acesAt(pl, "C:\\")).toEqual([]);
    expect(acesAt(pl, "C:\\Users\\user\\repo")).toEqual([
      { path: "C:\\Users\\user\\repo", sid: USER, principal: "sandbox-user", type: "allow", rights: "modify", mask: MODIFY, inheritance: "subtree" },
      { path: "C:\\Users\\user\\repo", sid: CAP, principal: "capability", type: "allow", rights: "modify", mask: MODIFY, inheritance: "subtree" },
    ]);
    expect(pl.aces).toHaveLength(2);
    expect(pl.aces[0]!.reason).toBe(':workspace_roots = "write" (C:/Users/user/.cordon/config.toml:7)');
  });

  it("the token is write-restricted to the capability and logon SIDs, never a broad group (WIN-01)", () => {
    const pl = plan(policy());
    expect(pl.token).toEqual({
      kind: "write-restricted",
      identity: "sandbox-user",
      restrictingSids: [CAP, "logon-session"],
      keepPrivileges: ["SeChangeNotifyPrivilege"],
      defaultDacl: [
        { sid: USER, rights: "all" },
        { sid: CAP, rights: "all" },
        { sid: "S-1-5-18", rights: "all" },
      ],
    });
    for (const broad of ["S-1-1-0", "S-1-5-32-545", "S-1-5-11"]) expect(pl.token!.restrictingSids).not.toContain(broad);
    expect(pl.job).toMatchObject({ killOnJobClose: true, breakawayAllowed: false });
    expect(pl.journalPath).toBe("C:\\Users\\user\\AppData\\Local\\cordon\\windows\\journal.json");
    expect(pl.command.cwd).toBe("C:\\Users\\user\\repo");
    expect(pl.command.argv).toEqual(COMMAND.argv);
  });

  it("a broad SID can never become the capability SID", () => {
    expect(() => planFor(policy(), COMMAND, hostFacts({ capabilitySid: "S-1-1-0" }))).toThrow("is not a private SID");
    expect(() => planFor(policy(), COMMAND, hostFacts({ capabilitySid: "Everyone" }))).toThrow("is not a private SID");
  });

  it("deny of an exact path: an inheritable deny-all ACE for the sandbox user", () => {
    const pl = plan(policy({ rules: [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/.ssh", "deny", "~/.ssh")] }));
    expect(acesAt(pl, "C:\\Users\\user\\.ssh")).toEqual([
      { path: "C:\\Users\\user\\.ssh", sid: USER, principal: "sandbox-user", type: "deny", rights: "all", mask: ALL_ACCESS, inheritance: "subtree" },
    ]);
  });

  it("read-only carve-out under a write root: deny write for the capability SID only", () => {
    const pl = plan(policy({ rules: [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/repo/docs", "read")] }));
    expect(acesAt(pl, "C:\\Users\\user\\repo\\docs")).toEqual([
      { path: "C:\\Users\\user\\repo\\docs", sid: CAP, principal: "capability", type: "deny", rights: "write", mask: WRITE_RIGHTS, inheritance: "subtree" },
    ]);
  });

  it("a writable descendant reopened under a read-only carve-out gets its own explicit allow (explicit ACEs precede inherited denies)", () => {
    const pl = plan(
      policy({ rules: [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/repo/docs", "read"), rule("C:/Users/user/repo/docs/drafts", "write")] }),
    );
    const drafts = acesAt(pl, "C:\\Users\\user\\repo\\docs\\drafts");
    expect(drafts.map((a) => [a.principal, a.type, a.rights])).toEqual([
      ["sandbox-user", "allow", "modify"],
      ["capability", "allow", "modify"],
    ]);
    // applied parents first, so the child's explicit ACE is placed after the carve-out propagated
    const order = pl.aces.map((a) => a.path);
    expect(order.indexOf("C:\\Users\\user\\repo\\docs")).toBeLessThan(order.indexOf("C:\\Users\\user\\repo\\docs\\drafts"));
  });

  it("read reopened under a deny: explicit allow read for the user; write stays denied by the inherited deny", () => {
    const pl = plan(
      policy({ rules: [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/repo/secrets", "deny"), rule("C:/Users/user/repo/secrets/public", "read")] }),
    );
    expect(acesAt(pl, "C:\\Users\\user\\repo\\secrets\\public")).toEqual([
      { path: "C:\\Users\\user\\repo\\secrets\\public", sid: USER, principal: "sandbox-user", type: "allow", rights: "read", mask: READ_EXECUTE, inheritance: "subtree" },
    ]);
  });

  it("a nested read rule under :root read adds nothing (the identity already reads it)", () => {
    const pl = plan(policy({ rules: [rule("C:/Users/user/repo", "write"), rule("C:/Windows", "read", ":minimal", { symbolic: ":minimal" })] }));
    expect(acesAt(pl, "C:\\Windows")).toEqual([]);
  });

  it(":slash_tmp grants nothing on Windows and says so", () => {
    const pl = plan(policy({ rules: [rule("C:/Users/user/repo", "write"), rule("/tmp", "write", ":slash_tmp", { symbolic: ":slash_tmp" })] }));
    expect(pl.aces.some((a) => a.path.toUpperCase().includes("TMP"))).toBe(false);
    expect(pl.notes.join("\n")).toContain("Windows has no /tmp");
  });

  it("rule paths are normalized: a trailing dot and a stream name reach the same object", () => {
    const pl = plan(policy({ rules: [rule("C:/Users/user/repo", "write"), rule("c:/users/USER/repo/.env.::$DATA", "deny")] }));
    expect(acesAt(pl, "C:\\Users\\user\\repo\\.env")).toHaveLength(1);
  });

  it("protected metadata under a write root: deny write for the capability SID; an explicit .git write reopens it", () => {
    const git = protectedPath("C:/Users/user/repo/.git", ".git", { root: "C:/Users/user/repo" });
    const pl = plan(policy({ protectedPaths: [git] }));
    expect(acesAt(pl, "C:\\Users\\user\\repo\\.git").map((a) => [a.principal, a.type, a.rights])).toEqual([["capability", "deny", "write"]]);
    expect(pl.aces.find((a) => a.path.endsWith(".git"))!.reason).toBe("protected .git (metadata) C:/Users/user/repo/.git");

    const reopened = plan(policy({ rules: [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/repo/.git", "write")], protectedPaths: [git] }));
    expect(acesAt(reopened, "C:\\Users\\user\\repo\\.git").map((a) => a.type)).toEqual(["allow", "allow"]);
  });

  it("a write rule inside .git (hooks) reopens only that subtree", () => {
    const git = protectedPath("C:/Users/user/repo/.git", ".git");
    const pl = plan(policy({ rules: [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/repo/.git/hooks", "write")], protectedPaths: [git] }));
    expect(acesAt(pl, "C:\\Users\\user\\repo\\.git").map((a) => a.type)).toEqual(["deny"]);
    expect(acesAt(pl, "C:\\Users\\user\\repo\\.git\\hooks").map((a) => a.type)).toEqual(["allow", "allow"]);
  });

  it("cordon's policy files stay read-only even under an explicit write rule", () => {
    const home = protectedPath("C:/Users/user/.cordon", "CORDON_HOME", { reason: "policy" });
    const pl = plan(policy({ rules: [rule("C:/Users/user", "write", "~"), rule("C:/Users/user/.cordon", "write")], protectedPaths: [home] }));
    expect(acesAt(pl, "C:\\Users\\user\\.cordon").map((a) => [a.principal, a.type, a.rights])).toEqual([["capability", "deny", "write"]]);
    expect(pl.notes.join("\n")).toContain("stays read-only whatever the rules say");
  });

  it("a protected path nothing writable covers gets no ACE", () => {
    const cfg = protectedPath("C:/ProgramData/cordon/config.toml", "config", { reason: "policy", state: "file" });
    expect(plan(policy({ protectedPaths: [cfg] })).aces.some((a) => a.path.includes("ProgramData"))).toBe(false);
  });

  it("a missing protected entry is held by a placeholder directory; a missing .git without preventCreation is left alone", () => {
    const codex = protectedPath("C:/Users/user/repo/.codex", ".codex", { state: "missing", preventCreation: true });
    const git = protectedPath("C:/Users/user/repo/.git", ".git", { state: "missing", preventCreation: false });
    const pl = plan(policy({ protectedPaths: [codex, git] }));
    expect(pl.placeholders).toEqual(["C:\\Users\\user\\repo\\.codex"]);
    expect(acesAt(pl, "C:\\Users\\user\\repo\\.codex").map((a) => a.type)).toEqual(["deny"]);
    expect(acesAt(pl, "C:\\Users\\user\\repo\\.git")).toEqual([]);
  });

  it("a missing deny root gets a placeholder only when the sandbox could create it", () => {
    const rules = [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/repo/secret", "deny"), rule("C:/Users/user/other/secret", "deny")];
    const pathStates = { ["C:\\USERS\\USER\\REPO\\SECRET"]: "missing", ["C:\\USERS\\USER\\OTHER\\SECRET"]: "missing" } as const;
    const pl = plan(policy({ rules }), hostFacts({ pathStates }));
    expect(pl.placeholders).toEqual(["C:\\Users\\user\\repo\\secret"]);
    expect(acesAt(pl, "C:\\Users\\user\\other\\secret")).toEqual([]);
  });

  it("deny globs: one deny ACE per expanded match (and its canonical target), counted per glob", () => {
    const g = glob("C:/Users/user/repo/**/*.env", "C:/Users/user/repo", ':workspace_roots "**/*.env"');
    const globExpansion = {
      matches: [
        { path: "C:/Users/user/repo/.env", pattern: g.pattern, canonical: null },
        { path: "C:/Users/user/repo/sub/PROD.ENV", pattern: g.pattern, canonical: "D:/vault/prod.env" },
      ],
    };
    const pl = plan(policy({ globs: [g], rules: [rule("C:/Users/user/repo", "write"), rule("D:/", "read")] }), hostFacts({ globExpansion }));
    expect(pl.denyGlobs).toEqual([{ entry: g.entry, pattern: g.pattern, matches: 2 }]);
    for (const p of ["C:\\Users\\user\\repo\\.env", "C:\\Users\\user\\repo\\sub\\PROD.ENV", "D:\\vault\\prod.env"]) {
      expect(acesAt(pl, p).map((a) => [a.type, a.rights])).toEqual([["deny", "all"]]);
    }
  });

  it("deny globs not expanded (pure plan): the plan says so and counts are null", () => {
    const g = glob("C:/Users/user/repo/**/*.env", "C:/Users/user/repo");
    const pl = plan(policy({ globs: [g] }));
    expect(pl.denyGlobs[0]!.matches).toBeNull();
    expect(pl.notes.join("\n")).toContain("deny globs are not expanded in a pure plan");
  });

  it("a grant inside a glob-matched directory is dropped: the glob wins", () => {
    const g = glob("C:/Users/user/repo/**/secret*", "C:/Users/user/repo");
    const pl = plan(policy({ globs: [g], rules: [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/repo/secrets/pub", "write")] }));
    expect(acesAt(pl, "C:\\Users\\user\\repo\\secrets\\pub")).toEqual([]);
    expect(pl.notes.join("\n")).toContain("the glob wins");
  });

  it("objects under a deny root that do not inherit get explicit denies — except where the policy reopens reads", () => {
    const rules = [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/repo/secrets", "deny"), rule("C:/Users/user/repo/secrets/public", "read")];
    const inheritanceBreaks = {
      ["C:\\USERS\\USER\\REPO\\SECRETS"]: { paths: ["C:\\Users\\user\\repo\\secrets\\protected-dacl", "C:\\Users\\user\\repo\\secrets\\public\\explicit-ace"] },
    };
    const pl = plan(policy({ rules }), hostFacts({ source: "host", inheritanceBreaks, pathStates: { ["C:\\USERS\\USER\\REPO\\SECRETS"]: "directory" } }));
    expect(acesAt(pl, "C:\\Users\\user\\repo\\secrets\\protected-dacl").map((a) => [a.type, a.rights])).toEqual([["deny", "all"]]);
    expect(pl.aces.find((a) => a.path.endsWith("protected-dacl"))!.reason).toContain("(object does not inherit the deny)");
    expect(acesAt(pl, "C:\\Users\\user\\repo\\secrets\\public\\explicit-ace")).toEqual([]);
  });

  it("network enabled: the online user, the proxy port range and its WFP filters", () => {
    const pl = plan(policy({ network: { enabled: true } }));
    expect(pl.user).toEqual(ASSUMED_SETUP.onlineUser);
    expect(pl.network.proxyPortRange).toEqual([41730, 41761]);
    expect(pl.firewall.map((f) => [f.direction, f.action, f.remoteAddress, f.remotePorts])).toEqual([
      ["outbound", "permit", "127.0.0.1", [41730, 41761]],
      ["outbound", "permit", "::1", [41730, 41761]],
      ["outbound", "block", "any", null],
      ["inbound", "block", "any", null],
    ]);
    expect(pl.firewall.every((f) => f.userSid === ASSUMED_SETUP.onlineUser.sid)).toBe(true);
    // ACEs name the identity that actually runs
    expect(pl.aces.find((a) => a.principal === "sandbox-user")!.sid).toBe(ASSUMED_SETUP.onlineUser.sid);
  });

  it("network disabled: the offline user, whose filters block everything", () => {
    const pl = plan(policy());
    expect(pl.network.proxyPortRange).toBeNull();
    expect(pl.firewall.map((f) => [f.direction, f.action])).toEqual([
      ["outbound", "block"],
      ["inbound", "block"],
    ]);
  });

  it("allow_local_binding and SOCKS5 UDP are noted as not honoured (stricter)", () => {
    const pl = plan(policy({ network: { enabled: true, allowLocalBinding: true, enableSocks5Udp: true } }));
    expect(pl.notes.join("\n")).toContain("allow_local_binding = true is not honoured");
    expect(pl.notes.join("\n")).toContain("enable_socks5_udp = true is not honoured");
  });

  it("allowed unix sockets get an object-only grant; denied ones nothing", () => {
    const unixSockets = [
      { path: "C:/Users/user/.docker/run/docker.sock", decision: "allow" as const, origin: { kind: "builtin" as const } },
      { path: "C:/Users/user/other.sock", decision: "deny" as const, origin: { kind: "builtin" as const } },
    ];
    const pl = plan(policy({ network: { unixSockets } }));
    expect(pl.network.allowedUnixSockets).toEqual(["C:\\Users\\user\\.docker\\run\\docker.sock"]);
    expect(acesAt(pl, "C:\\Users\\user\\.docker\\run\\docker.sock").map((a) => [a.principal, a.inheritance])).toEqual([
      ["sandbox-user", "object"],
      ["capability", "object"],
    ]);
    expect(acesAt(pl, "C:\\Users\\user\\other.sock")).toEqual([]);
  });

  it("UNC rules get no ACE (the sandbox identity has no credentials on the share)", () => {
    const pl = plan(policy({ rules: [rule("C:/Users/user/repo", "write"), rule("//server/share/data", "write")] }));
    expect(pl.aces.some((a) => a.path.startsWith("\\\\"))).toBe(false);
    expect(pl.notes.join("\n")).toContain("network share");
  });

  it("8.3 names: resolved with facts, noted without", () => {
    const longNames = { ["C:\\USERS\\USER\\REPO\\SECRET~1"]: "C:\\Users\\user\\repo\\secrets" };
    const rules = [rule("C:/Users/user/repo", "write"), rule("C:/Users/user/repo/SECRET~1", "deny")];
    expect(acesAt(plan(policy({ rules }), hostFacts({ longNames })), "C:\\Users\\user\\repo\\secrets")).toHaveLength(1);
    expect(plan(policy({ rules })).notes.join("\n")).toContain("8.3 short name left as written");
  });

  it(":danger-full-access: no sandbox, no ACEs, no token", () => {
    const pl = plan(policy({ unrestricted: true }), assumedFacts({ setup: null }));
    expect(pl.mode).toBe("unrestricted");
    expect(pl.aces).toEqual([]);
    expect(pl.token).toBeNull();
  });

  it("the plan is plain JSON (round-trips)", () => {
    const pl = plan(policy({ network: { enabled: true } }));
    expect(JSON.parse(JSON.stringify(pl))).toEqual(pl);
  });
});
