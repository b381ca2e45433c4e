// Turns the normalized filesystem policy into the ACEs of one run, placeholders for missing paths,
// refusals and notes. Pure.
//
// Why this ACE set enforces spec 4.3 exactly (the token is WRITE_RESTRICTED, see token in planner.ts):
// - A write needs a grant to the user AND to this run's fresh capability SID. Only ACEs of this plan
//   name that SID, so the only writable places are write roots (allow cap), minus read-only carve-outs
//   (inheritable deny cap). No ACE planted by an earlier run can grant a later one anything.
// - A read denial (elevated only) is a deny ACE for the sandbox user: deny ACEs are checked for the
//   normal SIDs, so it is authoritative. In unelevated mode the identity is the user's own: no ACE can
//   deny it a read without denying the real user too, and restricting SIDs are not consulted for reads.
// - Nested rules reopen through canonical ACE order: explicit ACEs precede inherited ones, and ACEs
//   inherited from a nearer parent precede those from a farther one. So `repo=write, docs=read,
//   docs/drafts=write` holds: drafts' explicit allow(cap) comes before the deny(cap) it inherits from
//   docs. (Codex refuses this shape; the ordering rule makes it expressible, as long as the carve-out's
//   deny is never placed explicitly on the reopened object — it is not: explicit denies go only on
//   carve-out roots, glob matches and non-inheriting objects that the policy denies.)
// - Objects below a deny root that do not inherit (protected DACL) or carry their own explicit allow
//   ACEs would escape an inherited deny; the host scan lists them and each gets an explicit deny.
import type { DenyGlob, ResolvedPolicy } from "@cordon/policy-model";
import type { WindowsHostFacts } from "./facts.js";
import { MESSAGES, type WindowsMode } from "./messages.js";
import { isVolumeRoot, isWithinWindows, normalizeWindowsPath, parentOf, type NormalizeContext, type WindowsPath } from "./paths.js";
import type { AcePlan } from "./plan-types.js";
import { RIGHTS_MASK, type Inheritance, type RightsName } from "./rights.js";
import { decideWindows, describeGlob, describeRule, globDenies, parentRule, reopens, winnerFor, type WinProtected, type WinRule } from "./rules.js";
import type { Refusal } from "@cordon/policy-model";

export interface AclPlanInput {
  readonly mode: WindowsMode;
  readonly policy: ResolvedPolicy;
  readonly facts: WindowsHostFacts;
  readonly userSid: string;
  readonly capabilitySid: string;
}

export interface AclPlanResult {
  readonly aces: AcePlan[];
  readonly placeholders: string[];
  readonly denyGlobs: { entry: string; pattern: string; matches: number | null }[];
  readonly refusals: Refusal[];
  readonly notes: string[];
}

/** Normalizes every rule and protected path (refusing the ones no ACE can name). */
export function normalizePolicyPaths(
  policy: ResolvedPolicy,
  facts: WindowsHostFacts,
  mode: WindowsMode,
): { rules: WinRule[]; protectedPaths: WinProtected[]; refusals: Refusal[]; notes: string[] } {
  const ctx: NormalizeContext = { home: policy.home, cwd: policy.cwd, longNames: facts.longNames };
  const refusals: Refusal[] = [];
  const notes: string[] = [];
  const rules: WinRule[] = [];
  for (const rule of policy.filesystem.rules) {
    if (rule.symbolic === ":slash_tmp") {
      notes.push(`${describeRule(rule)}: Windows has no /tmp; the entry grants nothing`);
      continue;
    }
    const n = normalizeWindowsPath(rule.path, ctx);
    if (!n.ok) {
      refusals.push({ rule: describeRule(rule), reason: MESSAGES.badPath(mode, n.reason) });
      continue;
    }
    if (n.value.unresolvedShortName) {
      if (facts.source === "host") {
        refusals.push({ rule: describeRule(rule), reason: MESSAGES.unresolvedShortName(mode, n.value.path) });
        continue;
      }
      notes.push(`${describeRule(rule)}: 8.3 short name left as written (long names are resolved on the host)`);
    }
    rules.push({ rule, path: n.value });
  }
  const protectedPaths: WinProtected[] = [];
  for (const entry of policy.filesystem.protectedPaths) {
    const n = normalizeWindowsPath(entry.path, ctx);
    if (!n.ok) refusals.push({ rule: `protected ${entry.name} ${entry.path}`, reason: MESSAGES.badPath(mode, n.reason) });
    else protectedPaths.push({ entry, path: n.value });
  }
  return { rules, protectedPaths, refusals, notes };
}

/** Plans the ACEs of one run. */
export function planAces(input: AclPlanInput, rules: readonly WinRule[], protectedPaths: readonly WinProtected[]): AclPlanResult {
  const { mode, policy, facts, userSid, capabilitySid } = input;
  const globs = policy.filesystem.denyGlobs;
  const out = new AceCollector(userSid, capabilitySid);
  const refusals: Refusal[] = [];
  const notes: string[] = [];
  const placeholders: string[] = [];
  const decide = (p: WindowsPath): { read: boolean; write: boolean } => decideWindows(rules, globs, protectedPaths, p);
  const stateOf = (p: WindowsPath): "file" | "directory" | "missing" | undefined => facts.pathStates[p.key];

  /** Emits ACEs for a path, handling missing objects: a placeholder when a deny must hold a name the sandbox could create. */
  const place = (path: WindowsPath, aces: readonly AceSpec[], reason: string): void => {
    if (aces.length === 0) return;
    if (path.kind === "unc") {
      notes.push(`${reason}: ${path.path} is on a network share; the sandbox identity has no credentials there, so no ACE is placed (the share is unreachable or unchanged)`);
      return;
    }
    if (stateOf(path) === "missing") {
      const creatable = decide(parentOf(path)).write;
      const guards = aces.some((a) => a.type === "deny");
      if (!(creatable && guards)) {
        if (aces.some((a) => a.type === "allow") && !creatable) notes.push(`${reason}: ${path.path} does not exist and the sandbox cannot create it (stricter than the profile)`);
        return;
      }
      if (!placeholders.includes(path.path)) placeholders.push(path.path);
    }
    for (const a of aces) out.add(path, a, reason);
  };

  for (const r of [...rules].sort((a, b) => a.path.components.length - b.path.components.length)) {
    const reason = describeRule(r.rule);
    if (isVolumeRoot(r.path)) {
      if (r.rule.access === "write") refusals.push({ rule: reason, reason: MESSAGES.wholeDriveWrite(mode, r.path.path) });
      if (r.rule.access === "deny") refusals.push({ rule: reason, reason: MESSAGES.wholeDriveDeny(mode, r.path.path) });
      continue; // read: the sandbox identity reads what local users read (plus the setup's profile grant)
    }
    const glob = globDenies(globs, r.path);
    if (glob && r.rule.access !== "deny") {
      notes.push(`${reason}: inside a match of ${describeGlob(glob)}; the glob wins, no grant is placed`);
      continue;
    }
    const parent = parentRule(rules, r);
    const parentAccess = parent === undefined || isVolumeRoot(parent.path) ? "host" : parent.rule.access;
    switch (r.rule.access) {
      case "deny":
        if (mode === "unelevated") refusals.push({ rule: reason, reason: MESSAGES.unelevatedDenyRead });
        else place(r.path, [{ who: "user", type: "deny", rights: "all", inheritance: "subtree" }], reason);
        break;
      case "write": {
        const policyFile = protectedPaths.find((p) => p.entry.reason === "policy" && isWithinWindows(r.path, p.path));
        if (policyFile) {
          notes.push(`${reason}: inside cordon policy path ${policyFile.path.path}, which stays read-only whatever the rules say`);
          break;
        }
        const aces: AceSpec[] = [{ who: "capability", type: "allow", rights: "modify", inheritance: "subtree" }];
        if (mode === "elevated") aces.unshift({ who: "user", type: "allow", rights: "modify", inheritance: "subtree" });
        place(r.path, aces, reason);
        break;
      }
      case "read": {
        const aces: AceSpec[] = [];
        if (parentAccess === "write") aces.push({ who: "capability", type: "deny", rights: "write", inheritance: "subtree" });
        if (parentAccess === "deny" && mode === "elevated") aces.push({ who: "user", type: "allow", rights: "read", inheritance: "subtree" });
        place(r.path, aces, reason);
        break;
      }
    }
  }

  for (const p of protectedPaths) {
    // Only a protected path that a write rule would otherwise open needs a carve-out.
    const winner = winnerFor(rules, p.path);
    if (!winner || winner.rule.access !== "write" || globDenies(globs, p.path)) continue;
    if (reopens(winner, p)) continue; // `.git = "write"`: explicitly reopened metadata (spec 4.4)
    if (p.entry.state === "missing" && !p.entry.preventCreation) continue;
    const reason = `protected ${p.entry.name} (${p.entry.reason}) ${p.entry.path}`;
    const ace: AceSpec = { who: "capability", type: "deny", rights: "write", inheritance: "subtree" };
    if (p.entry.state === "missing") {
      // A missing protected entry must not become creatable: hold its name with an empty directory.
      if (!placeholders.includes(p.path.path)) placeholders.push(p.path.path);
      out.add(p.path, ace, reason);
    } else place(p.path, [ace], reason);
  }

  const denyGlobs = globs.map((g) => ({ entry: g.entry, pattern: g.pattern, matches: null as number | null }));
  if (globs.length > 0) {
    if (mode === "unelevated") {
      for (const g of globs) refusals.push({ rule: describeGlob(g), reason: MESSAGES.unelevatedDenyRead });
    } else if (facts.globExpansion === null) {
      notes.push("deny globs are not expanded in a pure plan; plan() expands them on the host before launch");
    } else if ("error" in facts.globExpansion) {
      for (const g of globs) refusals.push({ rule: describeGlob(g), reason: MESSAGES.globExpansionFailed(facts.globExpansion.error) });
    } else {
      const ctx: NormalizeContext = { home: policy.home, cwd: policy.cwd, longNames: facts.longNames };
      for (const m of facts.globExpansion.matches) {
        const glob = globs.find((g) => g.pattern === m.pattern) ?? globs[0]!;
        const counted = denyGlobs.find((d) => d.pattern === glob.pattern)!;
        counted.matches = (counted.matches ?? 0) + 1;
        for (const raw of m.canonical === null ? [m.path] : [m.path, m.canonical]) {
          const n = normalizeWindowsPath(raw, ctx);
          if (!n.ok) refusals.push({ rule: describeGlob(glob), reason: MESSAGES.badPath(mode, n.reason) });
          else place(n.value, [{ who: "user", type: "deny", rights: "all", inheritance: "subtree" }], describeGlob(glob));
        }
      }
      for (const d of denyGlobs) d.matches ??= 0;
    }
  }

  if (mode === "elevated") addInheritanceBreakDenies(out, rules, globs, protectedPaths, facts, policy, refusals, notes);
  return { aces: out.list(), placeholders, denyGlobs, refusals, notes };
}

/** Explicit denies for objects under deny roots that would not inherit the root's deny ACE. */
function addInheritanceBreakDenies(
  out: AceCollector,
  rules: readonly WinRule[],
  globs: readonly DenyGlob[],
  protectedPaths: readonly WinProtected[],
  facts: WindowsHostFacts,
  policy: ResolvedPolicy,
  refusals: Refusal[],
  notes: string[],
): void {
  const ctx: NormalizeContext = { home: policy.home, cwd: policy.cwd, longNames: facts.longNames };
  const roots = out.denyRoots();
  let unscanned = false;
  for (const root of roots) {
    const scan = facts.inheritanceBreaks[root.path.key];
    if (scan === undefined) {
      const state = facts.pathStates[root.path.key];
      if (facts.source === "host" && state !== "missing" && state !== "file") refusals.push({ rule: root.reason, reason: MESSAGES.inheritanceScanFailed(root.path.path, "it was not scanned") });
      else unscanned = true;
      continue;
    }
    if ("error" in scan) {
      refusals.push({ rule: root.reason, reason: MESSAGES.inheritanceScanFailed(root.path.path, scan.error) });
      continue;
    }
    for (const raw of scan.paths) {
      const n = normalizeWindowsPath(raw, ctx);
      if (!n.ok) {
        refusals.push({ rule: root.reason, reason: MESSAGES.inheritanceScanFailed(root.path.path, n.reason) });
        continue;
      }
      if (!decideWindows(rules, globs, protectedPaths, n.value).read) out.add(n.value, { who: "user", type: "deny", rights: "all", inheritance: "subtree" }, `${root.reason} (object does not inherit the deny)`);
    }
  }
  if (unscanned && facts.source === "assumed") notes.push("deny roots are scanned on the host for objects that do not inherit their deny ACE; a pure plan lists only the root ACEs");
}

/** One ACE before its SID is filled in. */
interface AceSpec {
  readonly who: "user" | "capability";
  readonly type: "allow" | "deny";
  readonly rights: RightsName;
  readonly inheritance: Inheritance;
}

/** Collects ACEs, dropping exact duplicates, ordered parents first (the order they are applied in). */
class AceCollector {
  private readonly aces: { ace: AcePlan; depth: number; key: string }[] = [];
  constructor(
    private readonly userSid: string,
    private readonly capabilitySid: string,
  ) {}

  add(path: WindowsPath, spec: AceSpec, reason: string): void {
    const sid = spec.who === "user" ? this.userSid : this.capabilitySid;
    const id = `${path.key}|${sid}|${spec.type}|${spec.rights}|${spec.inheritance}`;
    if (this.aces.some((a) => a.key === id)) return;
    const ace: AcePlan = {
      path: path.path,
      sid,
      principal: spec.who === "user" ? "sandbox-user" : "capability",
      type: spec.type,
      rights: spec.rights,
      mask: RIGHTS_MASK[spec.rights],
      inheritance: spec.inheritance,
      reason,
    };
    this.aces.push({ ace, depth: path.components.length, key: id });
    this.paths.set(ace, path);
  }

  private readonly paths = new Map<AcePlan, WindowsPath>();

  /** Paths holding a deny-all ACE for the sandbox user (to be scanned for non-inheriting objects). */
  denyRoots(): { path: WindowsPath; reason: string }[] {
    return this.aces
      .filter((a) => a.ace.type === "deny" && a.ace.rights === "all" && !a.ace.reason.endsWith("(object does not inherit the deny)"))
      .map((a) => ({ path: this.paths.get(a.ace)!, reason: a.ace.reason }));
  }

  list(): AcePlan[] {
    return [...this.aces].sort((a, b) => a.depth - b.depth).map((a) => a.ace);
  }
}
