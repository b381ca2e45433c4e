// `cordon setup windows`: the one-time, administrator-only preparation of the elevated mode — a local
// group and two sandbox users (offline / online), their DPAPI-protected passwords, WFP filters, a read
// grant on the invoking user's profile, and the setup state the planner reads.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SetupState } from "./facts.js";
import { loadNative, type NativeWindows } from "./native.js";
import { READ_EXECUTE, isSidString } from "./rights.js";

/** Names and ranges setup uses (the defaults match ASSUMED_SETUP). */
export interface SetupOptions {
  /** The invoking user's profile directory (`%USERPROFILE%`): the sandbox group may read it. Null: no grant. */
  readonly profileDir: string | null;
  /** Private state directory (`%LOCALAPPDATA%\cordon\windows`). */
  readonly stateDir: string;
  readonly groupName?: string;
  readonly offlineUserName?: string;
  readonly onlineUserName?: string;
  /** Loopback ports the egress proxy may listen on (inclusive). */
  readonly proxyPortRange?: readonly [number, number];
}

export type SetupStep =
  | { readonly kind: "require-elevation" }
  | { readonly kind: "private-state-dir"; readonly path: string }
  | { readonly kind: "group"; readonly name: string }
  | { readonly kind: "user"; readonly name: string; readonly role: "offline" | "online"; readonly credentialFile: string }
  | { readonly kind: "firewall"; readonly user: string; readonly proxyPortRange: readonly [number, number] | null }
  | { readonly kind: "profile-read-grant"; readonly path: string; readonly group: string }
  | { readonly kind: "write-state"; readonly path: string };

export const DEFAULT_PROXY_PORT_RANGE: readonly [number, number] = [41730, 41761];

/** The ordered steps setup performs (pure; printed by `cordon setup windows --dry-run`). */
export function planWindowsSetup(options: SetupOptions): SetupStep[] {
  const group = options.groupName ?? "CordonSandboxUsers";
  const offline = options.offlineUserName ?? "CordonSandboxOffline";
  const online = options.onlineUserName ?? "CordonSandboxOnline";
  const range = options.proxyPortRange ?? DEFAULT_PROXY_PORT_RANGE;
  if (!(Number.isInteger(range[0]) && Number.isInteger(range[1]) && range[0] >= 1024 && range[1] <= 65535 && range[0] <= range[1])) {
    throw new RangeError(`proxy port range ${range[0]}-${range[1]} must lie within 1024-65535 and be ascending`);
  }
  for (const name of [group, offline, online]) {
    if (!/^[A-Za-z0-9_-]{1,20}$/.test(name)) throw new RangeError(`local account name ${JSON.stringify(name)} must be 1-20 letters, digits, _ or -`);
  }
  const steps: SetupStep[] = [
    { kind: "require-elevation" },
    { kind: "private-state-dir", path: options.stateDir },
    { kind: "group", name: group },
    { kind: "user", name: offline, role: "offline", credentialFile: join(options.stateDir, `${offline}.credential`) },
    { kind: "user", name: online, role: "online", credentialFile: join(options.stateDir, `${online}.credential`) },
    { kind: "firewall", user: offline, proxyPortRange: null },
    { kind: "firewall", user: online, proxyPortRange: range },
  ];
  if (options.profileDir !== null) steps.push({ kind: "profile-read-grant", path: options.profileDir, group });
  steps.push({ kind: "write-state", path: join(options.stateDir, "setup.json") });
  return steps;
}

/** Runs the setup steps on Windows (administrator). Returns the state it wrote. */
export function setupWindows(options: SetupOptions, native: NativeWindows = loadNative()): SetupState {
  const steps = planWindowsSetup(options);
  const sids = new Map<string, string>();
  let groupName = "";
  const firewall = { offlineFilters: false, onlineFilters: false, proxyPortRange: null as readonly [number, number] | null };
  let profileReadGrant: string | null = null;
  let statePath = "";
  const users: Partial<Record<"offline" | "online", { name: string; sid: string }>> = {};
  for (const step of steps) {
    switch (step.kind) {
      case "require-elevation":
        if (!native.isElevated()) throw new Error("`cordon setup windows` must run as administrator (from an elevated prompt)");
        break;
      case "private-state-dir":
        native.createPrivateDirectory(step.path);
        break;
      case "group":
        groupName = step.name;
        sids.set(step.name, native.ensureLocalGroup(step.name, "cordon sandbox identities"));
        break;
      case "user": {
        // A fresh random password each setup; only DPAPI for the invoking user can recover it.
        const password = `${randomBytes(24).toString("base64url")}!aA1`;
        const sid = native.ensureLocalUser(step.name, password, groupName);
        writeFileSync(step.credentialFile, native.protectData(password), { mode: 0o600 });
        users[step.role] = { name: step.name, sid };
        sids.set(step.name, sid);
        break;
      }
      case "firewall": {
        const sid = sids.get(step.user)!;
        native.installUserFilters(sid, step.proxyPortRange?.[0] ?? 0, step.proxyPortRange?.[1] ?? 0);
        if (step.proxyPortRange) {
          firewall.onlineFilters = true;
          firewall.proxyPortRange = step.proxyPortRange;
        } else firewall.offlineFilters = true;
        break;
      }
      case "profile-read-grant":
        native.addAce({ path: step.path, sid: sids.get(step.group)!, type: "allow", mask: READ_EXECUTE, inherit: true });
        profileReadGrant = step.path;
        break;
      case "write-state":
        statePath = step.path;
        break;
    }
  }
  const state: SetupState = {
    version: 1,
    group: { name: groupName, sid: sids.get(groupName)! },
    offlineUser: users.offline!,
    onlineUser: users.online!,
    firewall,
    profileReadGrant,
  };
  writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

/** Parses a setup state file's text; null when it is not a complete, current setup. */
export function parseSetupState(text: string): SetupState | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const s = value as Partial<SetupState> | null;
  const principal = (p: unknown): boolean => {
    const x = p as { name?: unknown; sid?: unknown } | null | undefined;
    return !!x && typeof x.name === "string" && typeof x.sid === "string" && isSidString(x.sid);
  };
  if (!s || s.version !== 1 || !principal(s.group) || !principal(s.offlineUser) || !principal(s.onlineUser) || !s.firewall) return null;
  const range = s.firewall.proxyPortRange;
  if (range !== null && !(Array.isArray(range) && range.length === 2 && range.every((n) => Number.isInteger(n)))) return null;
  return s as SetupState;
}

/** Reads `<stateDir>\setup.json`; null when setup has not run. */
export function readSetupState(stateDir: string): SetupState | null {
  try {
    return parseSetupState(readFileSync(join(stateDir, "setup.json"), "utf8"));
  } catch {
    return null;
  }
}
