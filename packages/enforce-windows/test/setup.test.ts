// setupWindows' pure plan, its executor against a fake addon, and the setup state parser.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { NativeWindows } from "../src/native.js";
import { READ_EXECUTE } from "../src/rights.js";
import { parseSetupState, planWindowsSetup, readSetupState, setupWindows } from "../src/setup.js";

describe("planWindowsSetup", () => {
  it("lists the steps in order with the default names and port range", () => {
    const steps = planWindowsSetup({ profileDir: "C:\\Users\\user", stateDir: "C:\\state" });
    expect(steps.map((s) => s.kind)).toEqual(["require-elevation", "private-state-dir", "group", "user", "user", "firewall", "firewall", "profile-read-grant", "write-state"]);
    expect(steps[3]).toMatchObject({ name: "CordonSandboxOffline", role: "offline" });
    expect(steps[6]).toEqual({ kind: "firewall", user: "CordonSandboxOnline", proxyPortRange: [41730, 41761] });
    expect(steps[5]).toEqual({ kind: "firewall", user: "CordonSandboxOffline", proxyPortRange: null });
  });

  it("skips the profile grant when asked", () => {
    expect(planWindowsSetup({ profileDir: null, stateDir: "C:\\state" }).some((s) => s.kind === "profile-read-grant")).toBe(false);
  });

  it.each([
    [[80, 90], "proxy port range 80-90 must lie within 1024-65535 and be ascending"],
    [[5000, 4000], "proxy port range 5000-4000 must lie within 1024-65535 and be ascending"],
  ] as const)("rejects port range %j", (range, message) => {
    expect(() => planWindowsSetup({ profileDir: null, stateDir: "C:\\s", proxyPortRange: range })).toThrow(message);
  });

  it("rejects account names Windows would not accept", () => {
    expect(() => planWindowsSetup({ profileDir: null, stateDir: "C:\\s", groupName: "bad name" })).toThrow('local account name "bad name" must be 1-20 letters');
  });
});

/** A fake addon recording what setup asked for. */
function fakeNative(elevated: boolean): NativeWindows & { calls: string[] } {
  const calls: string[] = [];
  let rid = 1100;
  const fail = (): never => {
    throw new Error("not in setup");
  };
  return {
    calls,
    isElevated: () => elevated,
    createPrivateDirectory: (p) => void calls.push(`private ${p}`),
    ensureLocalGroup: (name) => (calls.push(`group ${name}`), `S-1-5-21-1-2-3-${rid++}`),
    ensureLocalUser: (name, password, group) => (calls.push(`user ${name} in ${group} pw=${password.length > 20}`), `S-1-5-21-1-2-3-${rid++}`),
    protectData: (plain) => Buffer.from(`dpapi:${plain}`).toString("base64"),
    installUserFilters: (sid, lo, hi) => void calls.push(`filters ${sid} ${lo}-${hi}`),
    addAce: (ace) => void calls.push(`ace ${ace.path} ${ace.sid} ${ace.type} ${ace.mask} ${ace.inherit}`),
    currentUserSid: fail,
    lookupAccountSid: fail,
    localDrives: fail,
    longPathName: fail,
    pathState: fail,
    scanInheritanceBreaks: fail,
    removeAces: fail,
    createDirectory: fail,
    removeEmptyDirectory: fail,
    unprotectData: fail,
    userFiltersInstalled: fail,
  };
}

describe("setupWindows (fake addon)", () => {
  it("refuses without administrator rights and changes nothing", () => {
    const native = fakeNative(false);
    expect(() => setupWindows({ profileDir: "C:\\Users\\user", stateDir: "C:\\state" }, native)).toThrow("`cordon setup windows` must run as administrator");
    expect(native.calls).toEqual([]);
  });

  it("creates group, users, filters, the profile grant and a state file the planner reads back", () => {
    const dir = mkdtempSync(join(tmpdir(), "cordon-setup-"));
    try {
      const native = fakeNative(true);
      const state = setupWindows({ profileDir: "C:\\Users\\user", stateDir: dir }, native);
      expect(native.calls).toEqual([
        `private ${dir}`,
        "group CordonSandboxUsers",
        "user CordonSandboxOffline in CordonSandboxUsers pw=true",
        "user CordonSandboxOnline in CordonSandboxUsers pw=true",
        "filters S-1-5-21-1-2-3-1101 0-0",
        "filters S-1-5-21-1-2-3-1102 41730-41761",
        `ace C:\\Users\\user S-1-5-21-1-2-3-1100 allow ${READ_EXECUTE} true`,
      ]);
      expect(readSetupState(dir)).toEqual(state);
      expect(state.firewall).toEqual({ offlineFilters: true, onlineFilters: true, proxyPortRange: [41730, 41761] });
      // the password file holds only the DPAPI blob
      expect(readFileSync(join(dir, "CordonSandboxOffline.credential"), "utf8")).toMatch(/^[A-Za-z0-9+/=]+$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parseSetupState", () => {
  const good = {
    version: 1,
    group: { name: "g", sid: "S-1-5-21-1-2-3-4" },
    offlineUser: { name: "o", sid: "S-1-5-21-1-2-3-5" },
    onlineUser: { name: "n", sid: "S-1-5-21-1-2-3-6" },
    firewall: { offlineFilters: true, onlineFilters: true, proxyPortRange: [41730, 41761] },
    profileReadGrant: null,
  };
  it("accepts a complete state", () => expect(parseSetupState(JSON.stringify(good))).toEqual(good));
  it.each([
    ["not JSON", "{"],
    ["old version", JSON.stringify({ ...good, version: 0 })],
    ["bad SID", JSON.stringify({ ...good, onlineUser: { name: "n", sid: "Everyone" } })],
    ["bad range", JSON.stringify({ ...good, firewall: { ...good.firewall, proxyPortRange: ["a", 2] } })],
  ])("rejects %s (unelevated mode follows)", (_n, text) => expect(parseSetupState(text)).toBeNull());
});
