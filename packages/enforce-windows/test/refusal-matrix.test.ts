// The refusal matrix: each rule shape × mode (elevated = setup done, unelevated = no setup) → plan or
// refusal, with the exact rule and message. Unelevated mode can never block the network, so every
// unelevated result also carries that refusal; the matrix checks the rule-specific entries on top.
import { describe, expect, it } from "vitest";
import type { Refusal, ResolvedPolicy } from "@cordon/policy-model";
import { assumedFacts, ASSUMED_SETUP, type WindowsHostFacts } from "../src/facts.js";
import { MESSAGES } from "../src/messages.js";
import { planFor } from "../src/planner.js";
import { COMMAND, glob, policy, protectedPath, rule } from "./helpers.js";

const ELEVATED = assumedFacts();
const UNELEVATED = assumedFacts({ setup: null });
const NETWORK_REFUSAL = (enabled: boolean): Refusal => ({ rule: `network.enabled = ${enabled}`, reason: MESSAGES.unelevatedNetwork });
const WS = ':workspace_roots = "write" (C:/Users/user/.cordon/config.toml:7)';
const at = (entry: string, access: string): string => `${entry} = "${access}" (C:/Users/user/.cordon/config.toml:7)`;

interface Row {
  readonly shape: string;
  readonly policy: ResolvedPolicy;
  readonly facts?: Partial<WindowsHostFacts>;
  /** null = plans; else the exact refusal list. */
  readonly elevated: Refusal[] | null;
  /** Refusals besides the network one. */
  readonly unelevated: Refusal[];
}

const repo = rule("C:/Users/user/repo", "write", ":workspace_roots");
const expansion = { globExpansion: { matches: [{ path: "C:/Users/user/repo/.env", pattern: "C:/Users/user/repo/**/*.env", canonical: null }] } };

const ROWS: Row[] = [
  { shape: ":workspace (root read, repo write)", policy: policy(), elevated: null, unelevated: [] },
  { shape: ":read-only (root read only)", policy: policy({ rules: [] }), elevated: null, unelevated: [] },
  {
    shape: "deny exact path",
    policy: policy({ rules: [repo, rule("C:/Users/user/.ssh", "deny", "~/.ssh")] }),
    elevated: null,
    unelevated: [{ rule: at("~/.ssh", "deny"), reason: MESSAGES.unelevatedDenyRead }],
  },
  {
    shape: "deny glob",
    policy: policy({ rules: [repo], globs: [glob("C:/Users/user/repo/**/*.env", "C:/Users/user/repo", '"**/*.env"')] }),
    facts: expansion,
    elevated: null,
    unelevated: [{ rule: at('"**/*.env"', "deny"), reason: MESSAGES.unelevatedDenyRead }],
  },
  {
    shape: "deny glob whose expansion failed",
    policy: policy({ rules: [repo], globs: [glob("C:/Users/user/repo/**/*.env", "C:/Users/user/repo", '"**/*.env"')] }),
    facts: { globExpansion: { error: "C:/Users/user/repo/locked: EPERM" } },
    elevated: [{ rule: at('"**/*.env"', "deny"), reason: MESSAGES.globExpansionFailed("C:/Users/user/repo/locked: EPERM") }],
    unelevated: [{ rule: at('"**/*.env"', "deny"), reason: MESSAGES.unelevatedDenyRead }],
  },
  {
    shape: "restricted read (no :root)",
    policy: policy({ noRoot: true, rules: [repo, rule("C:/Windows", "read", ":minimal")] }),
    elevated: [{ rule: "C:\\ (no rule grants read)", reason: MESSAGES.elevatedSplitRead("C:\\") }],
    unelevated: [{ rule: "C:\\ (no rule grants read)", reason: MESSAGES.unelevatedSplitRead }],
  },
  {
    shape: "second drive not covered by :root",
    policy: policy(),
    facts: { drives: ["C:", "D:"] },
    elevated: [{ rule: "D:\\ (no rule grants read)", reason: MESSAGES.elevatedSplitRead("D:\\") }],
    unelevated: [{ rule: "D:\\ (no rule grants read)", reason: MESSAGES.unelevatedSplitRead }],
  },
  { shape: "second drive granted read", policy: policy({ rules: [repo, rule("D:/", "read")] }), facts: { drives: ["C:", "D:"] }, elevated: null, unelevated: [] },
  {
    shape: ":root = write",
    policy: policy({ noRoot: true, rules: [rule("C:/", "write", ":root")] }),
    elevated: [{ rule: at(":root", "write"), reason: MESSAGES.wholeDriveWrite("elevated", "C:\\") }],
    unelevated: [{ rule: at(":root", "write"), reason: MESSAGES.wholeDriveWrite("unelevated", "C:\\") }],
  },
  {
    shape: ":root = deny",
    policy: policy({ noRoot: true, rules: [rule("C:/", "deny", ":root"), repo] }),
    elevated: [
      { rule: "C:\\ (no rule grants read)", reason: MESSAGES.elevatedSplitRead("C:\\") },
      { rule: at(":root", "deny"), reason: MESSAGES.wholeDriveDeny("elevated", "C:\\") },
    ],
    unelevated: [
      { rule: "C:\\ (no rule grants read)", reason: MESSAGES.unelevatedSplitRead },
      { rule: at(":root", "deny"), reason: MESSAGES.wholeDriveDeny("unelevated", "C:\\") },
    ],
  },
  { shape: "read-only carve-out under a write root", policy: policy({ rules: [repo, rule("C:/Users/user/repo/docs", "read")] }), elevated: null, unelevated: [] },
  {
    shape: "writable descendant reopened under a read-only carve-out",
    policy: policy({ rules: [repo, rule("C:/Users/user/repo/docs", "read"), rule("C:/Users/user/repo/docs/drafts", "write")] }),
    elevated: null,
    unelevated: [],
  },
  {
    shape: "read reopened under a deny",
    policy: policy({ rules: [repo, rule("C:/Users/user/repo/secrets", "deny"), rule("C:/Users/user/repo/secrets/pub", "read")] }),
    elevated: null,
    unelevated: [{ rule: at("C:/Users/user/repo/secrets", "deny"), reason: MESSAGES.unelevatedDenyRead }],
  },
  { shape: "protected metadata", policy: policy({ protectedPaths: [protectedPath("C:/Users/user/repo/.git", ".git")] }), elevated: null, unelevated: [] },
  {
    shape: "device-namespace rule path",
    policy: policy({ rules: [repo, rule("\\\\.\\pipe\\docker_engine", "deny")] }),
    elevated: [{ rule: at("\\\\.\\pipe\\docker_engine", "deny"), reason: MESSAGES.badPath("elevated", "`\\\\.\\pipe\\docker_engine` is a device-namespace path; cordon only places ACEs on drive and UNC paths") }],
    unelevated: [{ rule: at("\\\\.\\pipe\\docker_engine", "deny"), reason: MESSAGES.badPath("unelevated", "`\\\\.\\pipe\\docker_engine` is a device-namespace path; cordon only places ACEs on drive and UNC paths") }],
  },
  {
    shape: "unresolved 8.3 short name on the host",
    policy: policy({ rules: [repo, rule("C:/Users/user/SECRET~1", "deny")] }),
    facts: { source: "host" },
    elevated: [{ rule: at("C:/Users/user/SECRET~1", "deny"), reason: MESSAGES.unresolvedShortName("elevated", "C:\\Users\\user\\SECRET~1") }],
    unelevated: [{ rule: at("C:/Users/user/SECRET~1", "deny"), reason: MESSAGES.unresolvedShortName("unelevated", "C:\\Users\\user\\SECRET~1") }],
  },
  {
    shape: "deny root whose inheritance scan failed",
    policy: policy({ rules: [repo, rule("C:/Users/user/repo/secrets", "deny")] }),
    facts: { source: "host", pathStates: { ["C:\\USERS\\USER\\REPO\\SECRETS"]: "directory" }, inheritanceBreaks: { ["C:\\USERS\\USER\\REPO\\SECRETS"]: { error: "more than 200000 entries" } } },
    elevated: [{ rule: at("C:/Users/user/repo/secrets", "deny"), reason: MESSAGES.inheritanceScanFailed("C:\\Users\\user\\repo\\secrets", "more than 200000 entries") }],
    unelevated: [{ rule: at("C:/Users/user/repo/secrets", "deny"), reason: MESSAGES.unelevatedDenyRead }],
  },
  {
    shape: "deny directory never scanned on the host",
    policy: policy({ rules: [repo, rule("C:/Users/user/repo/secrets", "deny")] }),
    facts: { source: "host", pathStates: { ["C:\\USERS\\USER\\REPO\\SECRETS"]: "directory" } },
    elevated: [{ rule: at("C:/Users/user/repo/secrets", "deny"), reason: MESSAGES.inheritanceScanFailed("C:\\Users\\user\\repo\\secrets", "it was not scanned") }],
    unelevated: [{ rule: at("C:/Users/user/repo/secrets", "deny"), reason: MESSAGES.unelevatedDenyRead }],
  },
  { shape: "network enabled", policy: policy({ network: { enabled: true } }), elevated: null, unelevated: [] },
];

describe("refusal matrix", () => {
  describe.each(ROWS)("$shape", (row) => {
    it("elevated", () => {
      const result = planFor(row.policy, COMMAND, { ...ELEVATED, ...row.facts });
      if (row.elevated === null) {
        expect(result.ok, JSON.stringify(!result.ok && result.refusal)).toBe(true);
      } else {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.refusal).toEqual(row.elevated);
      }
    });
    it("unelevated", () => {
      const result = planFor(row.policy, COMMAND, { ...UNELEVATED, ...row.facts });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.refusal).toEqual([NETWORK_REFUSAL(row.policy.network.enabled), ...row.unelevated]);
    });
  });

  it("the unelevated deny-read text is Codex's, verbatim", () => {
    expect(MESSAGES.unelevatedDenyRead).toBe("windows unelevated restricted-token sandbox cannot enforce deny-read restrictions directly; refusing to run unsandboxed");
    expect(MESSAGES.unelevatedSplitRead).toBe("windows unelevated restricted-token sandbox cannot enforce split filesystem read restrictions directly; refusing to run unsandboxed");
  });

  it("elevated without the online user's filters refuses network.enabled = true (no firewall capability)", () => {
    const setup = { ...ASSUMED_SETUP, firewall: { ...ASSUMED_SETUP.firewall, onlineFilters: false } };
    const result = planFor(policy({ network: { enabled: true } }), COMMAND, assumedFacts({ setup }));
    expect(result).toEqual({ ok: false, refusal: [{ rule: "network.enabled = true", reason: MESSAGES.elevatedNoOnlineFirewall }] });
    // control: the same setup still runs offline profiles
    expect(planFor(policy(), COMMAND, assumedFacts({ setup })).ok).toBe(true);
  });

  it("elevated without a proxy port range refuses network.enabled = true", () => {
    const setup = { ...ASSUMED_SETUP, firewall: { ...ASSUMED_SETUP.firewall, proxyPortRange: null } };
    const result = planFor(policy({ network: { enabled: true } }), COMMAND, assumedFacts({ setup }));
    expect(result).toEqual({ ok: false, refusal: [{ rule: "network.enabled = true", reason: MESSAGES.elevatedNoOnlineFirewall }] });
  });

  it("elevated without the offline user's filters refuses network.enabled = false", () => {
    const setup = { ...ASSUMED_SETUP, firewall: { ...ASSUMED_SETUP.firewall, offlineFilters: false } };
    const result = planFor(policy(), COMMAND, assumedFacts({ setup }));
    expect(result).toEqual({ ok: false, refusal: [{ rule: "network.enabled = false", reason: MESSAGES.elevatedNoOfflineFirewall }] });
    expect(planFor(policy({ network: { enabled: true } }), COMMAND, assumedFacts({ setup })).ok).toBe(true);
  });

  it("refusals list every problem at once, each once", () => {
    const result = planFor(policy({ noRoot: true, rules: [repo, rule("C:/a", "deny"), rule("C:/b", "deny")] }), COMMAND, UNELEVATED);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.refusal.map((r) => r.rule)).toEqual(["network.enabled = false", "C:\\ (no rule grants read)", at("C:/a", "deny"), at("C:/b", "deny")]);
    }
  });

  it("the workspace row names its rule in the plan (control for the rule text used above)", () => {
    const result = planFor(policy(), COMMAND, ELEVATED);
    expect(result.ok && result.plan.aces[0]!.reason).toBe(WS);
  });
});
