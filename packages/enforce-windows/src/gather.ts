// Gathers the host facts for planFor on Windows through the native addon and policy-model's glob walker.
import { randomInt } from "node:crypto";
import { join } from "node:path";
import { CordonError, expandDenyGlobs, type ResolvedPolicy } from "@cordon/policy-model";
import type { GlobExpansionFacts, InheritanceScan, WindowsHostFacts } from "./facts.js";
import type { NativeWindows } from "./native.js";
import { normalizeWindowsPath } from "./paths.js";
import { readSetupState } from "./setup.js";

/** Upper bound on objects walked under one deny root before the run is refused (fail closed). */
export const MAX_SCAN_ENTRIES = 200_000;

/** The private state directory of the invoking user. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env["LOCALAPPDATA"] ?? (env["USERPROFILE"] ? join(env["USERPROFILE"], "AppData", "Local") : "C:\\ProgramData");
  return join(base, "cordon", "windows");
}

/** A fresh random SID for one run (S-1-5-21 with four random sub-authorities). */
export function randomCapabilitySid(): string {
  const part = (): number => randomInt(1, 2 ** 32 - 1);
  return `S-1-5-21-${part()}-${part()}-${part()}-${part()}`;
}

/** Collects every fact planFor needs for this policy on this host. */
export function gatherFacts(policy: ResolvedPolicy, native: NativeWindows, stateDir: string = defaultStateDir()): WindowsHostFacts {
  let setup = readSetupState(stateDir);
  if (setup) {
    const present = [setup.group, setup.offlineUser, setup.onlineUser].every((p) => native.lookupAccountSid(p.name) === p.sid);
    setup = present
      ? {
          ...setup,
          firewall: {
            ...setup.firewall,
            offlineFilters: native.userFiltersInstalled(setup.offlineUser.sid),
            onlineFilters: native.userFiltersInstalled(setup.onlineUser.sid),
          },
        }
      : null;
  }

  const globExpansion: GlobExpansionFacts | null =
    policy.filesystem.denyGlobs.length === 0 ? { matches: [] } : expandGlobs(policy);

  const ctx = { home: policy.home, cwd: policy.cwd };
  const longNames: Record<string, string> = {};
  const pathStates: Record<string, "file" | "directory" | "missing"> = {};
  const candidatePaths = [
    ...policy.filesystem.rules.map((r) => r.path),
    ...policy.filesystem.protectedPaths.map((p) => p.path),
    ...policy.network.unixSockets.map((s) => s.path),
    ...(globExpansion && "matches" in globExpansion ? globExpansion.matches.flatMap((m) => (m.canonical ? [m.path, m.canonical] : [m.path])) : []),
  ];
  for (const raw of candidatePaths) {
    const n = normalizeWindowsPath(raw, ctx);
    if (!n.ok) continue; // the planner reports it
    if (n.value.unresolvedShortName) {
      const long = native.longPathName(n.value.path);
      if (long !== null) longNames[n.value.key] = long;
    }
    const resolved = normalizeWindowsPath(raw, { ...ctx, longNames });
    if (resolved.ok) pathStates[resolved.value.key] = native.pathState(resolved.value.path);
  }

  // Every path that may carry a deny-all ACE is scanned for objects that would not inherit it.
  const inheritanceBreaks: Record<string, InheritanceScan> = {};
  const denyRoots = [
    ...policy.filesystem.rules.filter((r) => r.access === "deny").map((r) => r.path),
    ...(globExpansion && "matches" in globExpansion ? globExpansion.matches.flatMap((m) => (m.canonical ? [m.path, m.canonical] : [m.path])) : []),
  ];
  for (const raw of denyRoots) {
    const n = normalizeWindowsPath(raw, { ...ctx, longNames });
    if (!n.ok || pathStates[n.value.key] !== "directory") continue;
    try {
      inheritanceBreaks[n.value.key] = { paths: native.scanInheritanceBreaks(n.value.path, MAX_SCAN_ENTRIES) };
    } catch (error) {
      inheritanceBreaks[n.value.key] = { error: (error as Error).message };
    }
  }

  return {
    source: "host",
    setup,
    currentUser: { name: process.env["USERNAME"] ?? "current user", sid: native.currentUserSid() },
    capabilitySid: randomCapabilitySid(),
    drives: native.localDrives(),
    longNames,
    pathStates,
    globExpansion,
    inheritanceBreaks,
    stateDir,
  };
}

function expandGlobs(policy: ResolvedPolicy): GlobExpansionFacts {
  try {
    const expansion = expandDenyGlobs(policy.filesystem.denyGlobs, { maxDepth: policy.filesystem.globScanMaxDepth, caseSensitive: false });
    return { matches: expansion.matches.map((m) => ({ path: m.path, pattern: m.glob.pattern, canonical: m.canonical })) };
  } catch (error) {
    if (error instanceof CordonError) return { error: error.message };
    throw error;
  }
}
