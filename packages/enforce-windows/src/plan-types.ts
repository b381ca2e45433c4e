// The Windows launch plan: plain JSON, printed by `cordon plan --platform windows`, executed by launch().
import type { NetworkPolicy } from "@cordon/policy-model";
import type { ProxyListenPlan } from "./proxy-listen.js";
import type { Inheritance, RightsName } from "./rights.js";

/** The run's egress proxy: where launch() starts it, and the rules it decides with. */
export interface WindowsProxyPlan extends ProxyListenPlan {
  /** The network policy the proxy enforces (carried so a plan is self-contained, even after JSON). */
  readonly policy: NetworkPolicy;
}

/** One ACE added for this run (recorded in the journal before it is applied, removed afterwards). */
export interface AcePlan {
  /** Canonical Windows path (`C:\repo\.git`). */
  readonly path: string;
  readonly sid: string;
  /** Who the SID is: the sandbox identity (reads, deny-all) or this run's capability SID (writes). */
  readonly principal: "sandbox-user" | "capability";
  readonly type: "allow" | "deny";
  readonly rights: RightsName;
  readonly mask: number;
  readonly inheritance: Inheritance;
  /** The rule (entry, access, origin) this ACE enforces. */
  readonly reason: string;
}

/** One WFP filter for a sandbox user (installed by setup; listed so the plan shows the whole jail). */
export interface FirewallFilter {
  readonly userSid: string;
  readonly direction: "outbound" | "inbound";
  readonly action: "permit" | "block";
  readonly protocol: "tcp" | "any";
  /** `any`, or a loopback literal. */
  readonly remoteAddress: "any" | "127.0.0.1" | "::1";
  /** Inclusive remote port range, or null for every port. */
  readonly remotePorts: readonly [number, number] | null;
  readonly description: string;
}

/** The token the command runs with. */
export interface TokenPlan {
  /** WRITE_RESTRICTED: a write needs a grant to the user AND to a restricting SID. */
  readonly kind: "write-restricted";
  readonly identity: "sandbox-user" | "current-user";
  /** Restricting SIDs: this run's capability SID and the logon SID — never Everyone/Users (WIN-01). */
  readonly restrictingSids: readonly string[];
  /** DISABLE_MAX_PRIVILEGE; only these privileges stay. */
  readonly keepPrivileges: readonly string[];
  /** Default DACL for objects the command creates without inheritable ACEs (kept tiny: WIN-03). */
  readonly defaultDacl: readonly { readonly sid: string; readonly rights: "all" }[];
}

/** The job object holding the command and every process it starts. */
export interface JobPlan {
  readonly killOnJobClose: true;
  readonly dieOnUnhandledException: true;
  readonly breakawayAllowed: false;
  /** JOB_OBJECT_UILIMIT_* names. */
  readonly uiRestrictions: readonly string[];
}

export interface WindowsPlan {
  readonly backend: "@cordon/enforce-windows";
  /** `unrestricted` only for `:danger-full-access` (no sandbox). */
  readonly mode: "elevated" | "unelevated" | "unrestricted";
  readonly profile: string;
  readonly factsSource: "host" | "assumed";
  /** The identity the command runs as. */
  readonly user: { readonly name: string; readonly sid: string };
  readonly capabilitySid: string;
  readonly aces: readonly AcePlan[];
  /** Missing paths created (empty directories) so a deny/read-only ACE can hold them; removed after. */
  readonly placeholders: readonly string[];
  readonly denyGlobs: readonly { readonly entry: string; readonly pattern: string; readonly matches: number | null }[];
  readonly network: {
    readonly enabled: boolean;
    /** Loopback port range the proxy must listen in (the only destination the filters permit). */
    readonly proxyPortRange: readonly [number, number] | null;
    /** The egress proxy launch() starts (network enabled), else null. */
    readonly proxy: WindowsProxyPlan | null;
    readonly allowedUnixSockets: readonly string[];
  };
  readonly firewall: readonly FirewallFilter[];
  readonly token: TokenPlan | null;
  readonly job: JobPlan;
  readonly command: { readonly argv: readonly string[]; readonly cwd: string; readonly env: Readonly<Record<string, string>> };
  /** Write-ahead journal (also the run lock); crash leftovers are undone from it at the next run. */
  readonly journalPath: string;
  /** What this plan deliberately does differently from the profile (always stricter) and why, and what no filter can cover. */
  readonly notes: readonly string[];
}
