// Landlock settings the exec helper applies: rules mirroring the policy (defence in depth under bwrap,
// the only filesystem barrier in Landlock-only mode) and the scopes the host kernel offers.
import type { ExecSpec, LandlockRule } from "../exec-spec.js";
import type { MountOp } from "../types.js";
import type { AccessState } from "./access.js";

/** Landlock ABI that added each feature cordon uses. */
export const LANDLOCK_ABI = { base: 1, refer: 2, truncate: 3, tcp: 4, ioctlDev: 5, scopes: 6, audit: 7 } as const;

/** Rules matching what the bwrap view exposes: read roots read, write roots write, the private /dev writable. */
export function rulesForView(rootState: AccessState, mounts: readonly MountOp[]): LandlockRule[] {
  const rules: LandlockRule[] = [];
  if (rootState !== "deny") rules.push({ path: "/", rights: rootState });
  for (const m of mounts) {
    if (m.op === "bind" && m.dest !== "/") rules.push({ path: m.dest, rights: "write" });
    if (m.op === "ro-bind" && m.dest !== "/") rules.push({ path: m.dest, rights: "read" });
  }
  rules.push({ path: "/dev", rights: "write" }, { path: "/proc", rights: "read" });
  return rules;
}

/** TCP rights for the command: by default none (network off). */
export interface LandlockTcp {
  readonly tcpConnectPorts: readonly number[] | null;
  readonly denyTcpBind: boolean;
}

/** The Landlock part of an ExecSpec for a kernel with `abi`, or null when Landlock is unavailable. */
export function landlockSpec(abi: number, rules: readonly LandlockRule[], options: { requireScopes: boolean; tcp?: LandlockTcp }): ExecSpec["landlock"] {
  if (abi < LANDLOCK_ABI.base) return null;
  const scopes = abi >= LANDLOCK_ABI.scopes;
  const tcp = abi >= LANDLOCK_ABI.tcp;
  const minAbi = options.requireScopes || scopes ? LANDLOCK_ABI.scopes : tcp ? LANDLOCK_ABI.tcp : LANDLOCK_ABI.base;
  return {
    minAbi,
    rules,
    // Network off: no TCP connect or bind at all. Network on: only the bridge ports (see network-plan.ts).
    tcpConnectPorts: tcp ? (options.tcp ? options.tcp.tcpConnectPorts : []) : null,
    denyTcpBind: tcp && (options.tcp ? options.tcp.denyTcpBind : true),
    scopeSignals: scopes,
    scopeAbstractUnix: scopes,
    logDenials: false,
  };
}
