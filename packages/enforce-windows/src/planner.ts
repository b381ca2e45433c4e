// planFor: the pure Windows planner. ResolvedPolicy + command + host facts → launch plan or refusal.
import type { CommandSpec, PlanResult, Refusal, ResolvedPolicy } from "@cordon/policy-model";
import { formatOrigin } from "@cordon/policy-model";
import { normalizePolicyPaths, planAces } from "./acl-plan.js";
import { assumedFacts, type WindowsHostFacts } from "./facts.js";
import { MESSAGES, type WindowsMode } from "./messages.js";
import { planNetwork } from "./network-plan.js";
import { normalizeWindowsPath } from "./paths.js";
import type { AcePlan, JobPlan, TokenPlan, WindowsPlan } from "./plan-types.js";
import { BROAD_SIDS, isSidString, RIGHTS_MASK, WELL_KNOWN_SIDS } from "./rights.js";

/** The job every sandboxed command runs in: nothing outlives cordon, nothing breaks away. */
export const JOB: JobPlan = {
  killOnJobClose: true,
  dieOnUnhandledException: true,
  breakawayAllowed: false,
  uiRestrictions: ["HANDLES", "READCLIPBOARD", "WRITECLIPBOARD", "SYSTEMPARAMETERS", "DISPLAYSETTINGS", "GLOBALATOMS", "DESKTOP", "EXITWINDOWS"],
};

/** Placeholder for the logon SID, which is only known once the token exists. */
export const LOGON_SID = "logon-session";

/**
 * Plans one run. Pure: everything host-specific comes from `facts` (a typical prepared host when
 * omitted). Refuses — listing every rule it cannot enforce and why — instead of weakening anything.
 */
export function planFor(policy: ResolvedPolicy, command: CommandSpec, facts: WindowsHostFacts = assumedFacts()): PlanResult<WindowsPlan> {
  const journalPath = `${facts.stateDir.replace(/[\\/]+$/, "")}\\journal.json`;
  if (policy.unrestricted) {
    return {
      ok: true,
      plan: {
        backend: "@cordon/enforce-windows",
        mode: "unrestricted",
        profile: policy.profile,
        factsSource: facts.source,
        user: facts.currentUser,
        capabilitySid: facts.capabilitySid,
        aces: [],
        placeholders: [],
        denyGlobs: [],
        network: { enabled: true, proxyPortRange: null, proxy: null, allowedUnixSockets: [] },
        firewall: [],
        token: null,
        job: JOB,
        command: { argv: [...command.argv], cwd: command.cwd, env: { ...command.env } },
        journalPath,
        notes: [":danger-full-access: no sandbox at all"],
      },
    };
  }

  const mode: WindowsMode = facts.setup ? "elevated" : "unelevated";
  const refusals: Refusal[] = [];
  const notes: string[] = [];

  if (!isSidString(facts.capabilitySid) || BROAD_SIDS.includes(facts.capabilitySid)) throw new TypeError(`capability SID ${facts.capabilitySid} is not a private SID`);
  const network = planNetwork(mode, policy.network, facts.setup);
  refusals.push(...network.refusals);
  notes.push(...network.notes);
  const user = mode === "elevated" ? (network.user ?? facts.setup!.offlineUser) : facts.currentUser;

  const normalized = normalizePolicyPaths(policy, facts, mode);
  refusals.push(...normalized.refusals);
  notes.push(...normalized.notes);
  refusals.push(...readCoverageRefusals(mode, normalized.rules, facts.drives));

  const acl = planAces({ mode, policy, facts, userSid: user.sid, capabilitySid: facts.capabilitySid }, normalized.rules, normalized.protectedPaths);
  refusals.push(...acl.refusals);
  notes.push(...acl.notes);

  const aces: AcePlan[] = [...acl.aces];
  const allowedUnixSockets: string[] = [];
  for (const socket of policy.network.unixSockets) {
    if (socket.decision !== "allow") continue;
    const rule = `network.unix_sockets."${socket.path}" = "allow" (${formatOrigin(socket.origin)})`;
    const n = normalizeWindowsPath(socket.path, { home: policy.home, cwd: policy.cwd, longNames: facts.longNames });
    if (!n.ok) {
      refusals.push({ rule, reason: MESSAGES.badPath(mode, n.reason) });
      continue;
    }
    // AF_UNIX connect on Windows needs write access to the socket file: grant exactly that object.
    allowedUnixSockets.push(n.value.path);
    const grant = (principal: "sandbox-user" | "capability", sid: string): AcePlan => ({ path: n.value.path, sid, principal, type: "allow", rights: "modify", mask: RIGHTS_MASK.modify, inheritance: "object", reason: rule });
    if (mode === "elevated") aces.push(grant("sandbox-user", user.sid));
    aces.push(grant("capability", facts.capabilitySid));
  }

  const cwd = normalizeWindowsPath(command.cwd, { home: policy.home });
  if (!cwd.ok) refusals.push({ rule: `working directory ${command.cwd}`, reason: MESSAGES.badPath(mode, cwd.reason) });
  if (command.argv.length === 0) throw new TypeError("planFor: empty argv");

  if (refusals.length > 0) return { ok: false, refusal: dedupe(refusals) };

  const token: TokenPlan = {
    kind: "write-restricted",
    identity: mode === "elevated" ? "sandbox-user" : "current-user",
    restrictingSids: [facts.capabilitySid, LOGON_SID],
    keepPrivileges: ["SeChangeNotifyPrivilege"],
    defaultDacl: [
      { sid: user.sid, rights: "all" },
      { sid: facts.capabilitySid, rights: "all" },
      { sid: WELL_KNOWN_SIDS.system, rights: "all" },
    ],
  };
  return {
    ok: true,
    plan: {
      backend: "@cordon/enforce-windows",
      mode,
      profile: policy.profile,
      factsSource: facts.source,
      user,
      capabilitySid: facts.capabilitySid,
      aces,
      placeholders: acl.placeholders,
      denyGlobs: acl.denyGlobs,
      network: {
        enabled: policy.network.enabled,
        proxyPortRange: network.proxyPortRange,
        proxy: network.proxy ? { ...network.proxy, policy: policy.network } : null,
        allowedUnixSockets,
      },
      firewall: network.firewall,
      token,
      job: JOB,
      command: { argv: [...command.argv], cwd: cwd.ok ? cwd.value.path : command.cwd, env: { ...command.env } },
      journalPath,
      notes,
    },
  };
}

/** Every local drive must be readable by the profile: the sandbox identity can read them all anyway. */
function readCoverageRefusals(mode: WindowsMode, rules: readonly { rule: { access: string }; path: { key: string; components: readonly string[] } }[], drives: readonly string[]): Refusal[] {
  const uncovered = drives
    .map((d) => `${d.slice(0, 1).toUpperCase()}:\\`)
    .filter((root) => !rules.some((r) => r.path.components.length === 0 && r.path.key === root && r.rule.access !== "deny"));
  if (uncovered.length === 0) return [];
  if (mode === "unelevated") return [{ rule: `${uncovered.join(", ")} (no rule grants read)`, reason: MESSAGES.unelevatedSplitRead }];
  return uncovered.map((root) => ({ rule: `${root} (no rule grants read)`, reason: MESSAGES.elevatedSplitRead(root) }));
}

function dedupe(refusals: readonly Refusal[]): Refusal[] {
  const seen = new Set<string>();
  return refusals.filter((r) => {
    const id = `${r.rule}\u0000${r.reason}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
