// Host facts the pure planner needs (gathered by plan() through the native addon on Windows), and the
// "typical host" assumed by `cordon plan --platform windows` on any OS.

/** One local account or group. */
export interface Principal {
  readonly name: string;
  readonly sid: string;
}

/** What `cordon setup windows` left on the host (read from its state file). */
export interface SetupState {
  readonly version: 1;
  /** Local group holding the sandbox users; the profile read grant names it. */
  readonly group: Principal;
  /** Runs with `network.enabled = false`: its firewall filters block every connection. */
  readonly offlineUser: Principal;
  /** Runs with `network.enabled = true`: its filters allow only loopback TCP to the proxy port range. */
  readonly onlineUser: Principal;
  readonly firewall: {
    readonly offlineFilters: boolean;
    readonly onlineFilters: boolean;
    /** Inclusive loopback port range the egress proxy must listen in. */
    readonly proxyPortRange: readonly [number, number] | null;
  };
  /** The profile directory the group may read (so `:root = read` reaches the user's own files), or null. */
  readonly profileReadGrant: string | null;
}

/** Result of scanning one deny root for objects that would not inherit its deny ACE. */
export type InheritanceScan = { readonly paths: readonly string[] } | { readonly error: string };

/** Deny-glob expansion done on the host (policy-model's expandDenyGlobs, case-insensitive). */
export type GlobExpansionFacts =
  | { readonly matches: readonly { readonly path: string; readonly pattern: string; readonly canonical: string | null }[] }
  | { readonly error: string };

export interface WindowsHostFacts {
  /** `host`: gathered on this machine by plan(); `assumed`: the defaults below. Only host plans launch. */
  readonly source: "host" | "assumed";
  /** Null when `cordon setup windows` has not run (or its state is unreadable): unelevated mode. */
  readonly setup: SetupState | null;
  readonly currentUser: Principal;
  /** Fresh random SID for this run: the only restricting SID that grants writes (never Everyone: WIN-01). */
  readonly capabilitySid: string;
  /** Local drives a sandbox identity could read (fixed and removable), e.g. `["C:", "D:"]`. */
  readonly drives: readonly string[];
  /** 8.3 short name → long name, keyed by the normalized path key (GetLongPathNameW). */
  readonly longNames: Readonly<Record<string, string>>;
  /** Existence of rule and protected paths, keyed by normalized path key; absent = exists. */
  readonly pathStates: Readonly<Record<string, "file" | "directory" | "missing">>;
  /** Null = not expanded (pure planning); such a plan cannot launch when the policy has deny globs. */
  readonly globExpansion: GlobExpansionFacts | null;
  /** Per deny root key: descendants with a protected DACL or explicit ACEs. Absent = not scanned. */
  readonly inheritanceBreaks: Readonly<Record<string, InheritanceScan>>;
  /** Private directory for the journal and setup state (`%LOCALAPPDATA%\cordon\windows`). */
  readonly stateDir: string;
}

/** The sandbox setup a typical, fully prepared host has (names match setupWindows' defaults). */
export const ASSUMED_SETUP: SetupState = {
  version: 1,
  group: { name: "CordonSandboxUsers", sid: "S-1-5-21-1000000000-1000000000-1000000000-1100" },
  offlineUser: { name: "CordonSandboxOffline", sid: "S-1-5-21-1000000000-1000000000-1000000000-1101" },
  onlineUser: { name: "CordonSandboxOnline", sid: "S-1-5-21-1000000000-1000000000-1000000000-1102" },
  firewall: { offlineFilters: true, onlineFilters: true, proxyPortRange: [41730, 41761] },
  profileReadGrant: "C:\\Users\\user",
};

/** Facts for a typical host with every capability present (`planFor` without facts). */
export function assumedFacts(overrides: Partial<WindowsHostFacts> = {}): WindowsHostFacts {
  return {
    source: "assumed",
    setup: ASSUMED_SETUP,
    currentUser: { name: "user", sid: "S-1-5-21-1000000000-1000000000-1000000000-1001" },
    capabilitySid: "S-1-5-21-0-0-0-0",
    drives: ["C:"],
    longNames: {},
    pathStates: {},
    globExpansion: null,
    inheritanceBreaks: {},
    stateDir: "C:\\Users\\user\\AppData\\Local\\cordon\\windows",
    ...overrides,
  };
}
