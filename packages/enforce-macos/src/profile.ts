// Generates the Seatbelt profile (SBPL text) and its -D parameters for one ResolvedPolicy. Pure: host
// facts come in as arguments. Sections, in order: base, file reads, ancestor metadata, file writes,
// rename hardening, network, deny globs (last, so they win over every allow with the same operations).
import { formatOrigin, isWithin, type DenyGlob, type Refusal, type ResolvedPolicy } from "@cordon/policy-model";
import { activeProtected, readAllowSets, writeAllowSets, type AllowSet, type TreeRule, type Within } from "./access-tree.js";
import { baseSection, TLS_TRUST_SERVICES } from "./base-profile.js";
import { anchoredRegex, compileDenyGlob, GlobCompileError, type GlobAlternative } from "./glob-regex.js";
import { MACOS_MINIMAL_READ_ROOTS } from "./minimal.js";
import { MAX_PATH_BYTES, ParamTable } from "./params.js";
import { sbplString } from "./sbpl-text.js";
import { spellingsOf, type Canonicalizer } from "./spellings.js";

/** What the generator needs to know about the host. */
export interface ProfileFacts {
  readonly canonical: Canonicalizer;
  /** Loopback ports of the egress proxy; empty = no TCP out (even with the network enabled). */
  readonly proxyPorts: readonly number[];
  /** Existing deny-glob matches (rename hardening of the directories that hold them). */
  readonly denyGlobMatches: readonly string[];
  /** Text attached to every denial (`with message`), so the denial log can pick out this run. */
  readonly logTag: string;
}

export interface GeneratedProfile {
  readonly profile: string;
  readonly params: readonly (readonly [string, string])[];
  readonly refusals: readonly Refusal[];
}

/** Operations granted on readable paths; a deny glob removes exactly these (MAC-01: same names). */
export const READ_OPERATIONS = "file-read* file-map-executable process-exec";
/** Operations granted on writable paths. */
export const WRITE_OPERATIONS = "file-write*";

/** Builds the profile; refusals list what cannot be expressed (the profile must then not be used). */
export function generateProfile(policy: ResolvedPolicy, facts: ProfileFacts): GeneratedProfile {
  const refusals: Refusal[] = [];
  const params = new ParamTable();
  const fold = (p: string): string => (policy.filesystem.caseSensitive ? p : p.toLowerCase());
  const spellings = (p: string): string[] => spellingsOf(p, facts.canonical);
  const within: Within = (path, root) =>
    spellings(path).some((a) => spellings(root).some((b) => isWithin(fold(a), fold(b))));

  const checkPath = (path: string, rule: string): boolean => {
    if (!path.startsWith("/")) {
      refusals.push({ rule, reason: `path ${JSON.stringify(path)} is not an absolute POSIX path` });
      return false;
    }
    if (/[\u0000-\u001f\u007f]/.test(path)) {
      refusals.push({ rule, reason: `path ${JSON.stringify(path)} contains a control character, which Seatbelt parameters cannot carry` });
      return false;
    }
    if (Buffer.byteLength(path) > MAX_PATH_BYTES) {
      refusals.push({ rule, reason: `path is longer than ${MAX_PATH_BYTES} bytes, which Seatbelt cannot match` });
      return false;
    }
    return true;
  };

  const fs = policy.filesystem;
  const rules: TreeRule[] = [];
  for (const rule of fs.rules) {
    if (checkPath(rule.path, describeRule(rule.entry, rule.origin))) rules.push({ path: rule.path, access: rule.access });
  }
  if (fs.minimal) for (const root of MACOS_MINIMAL_READ_ROOTS) rules.push({ path: root.path, access: "read" });
  const protectedPaths = activeProtected(fs.protectedPaths).filter((p) => checkPath(p.path, `protected ${p.name} ${p.path}`));

  const globs = compileGlobs(fs.denyGlobs, refusals, checkPath);

  const reads = readAllowSets(rules, within);
  const writes = writeAllowSets(rules, protectedPaths, within);

  const tag = `(with message ${sbplString(facts.logTag)})`;
  const sections: string[] = [baseSection(tag)];
  sections.push(fileSection("Reads: each readable root minus the deeper roots that deny reading (most specific wins).", "allow", READ_OPERATIONS, reads, spellings, params));
  sections.push(ancestorMetadataSection(reads, spellings, params));
  sections.push(fileSection("Writes: each writable root minus deeper read-only/denied roots and protected paths.", "allow", WRITE_OPERATIONS, writes, spellings, params));
  sections.push(renameHardeningSection({ rules, protectedPaths, globs, writes, matches: facts.denyGlobMatches, spellings, within, params, tag }));
  sections.push(networkSection(policy, facts, spellings, params, refusals, checkPath));
  sections.push(denyGlobSection(globs, spellings, params, tag));

  return { profile: sections.filter((s) => s !== "").join("\n"), params: params.list(), refusals };
}

function describeRule(entry: string, origin: Parameters<typeof formatOrigin>[0]): string {
  return `${entry} (${formatOrigin(origin)})`;
}

interface CompiledGlob {
  readonly glob: DenyGlob;
  readonly alternatives: readonly GlobAlternative[];
}

function compileGlobs(globs: readonly DenyGlob[], refusals: Refusal[], checkPath: (p: string, rule: string) => boolean): CompiledGlob[] {
  const out: CompiledGlob[] = [];
  for (const glob of globs) {
    const rule = describeRule(glob.entry, glob.origin);
    try {
      const alternatives = compileDenyGlob(glob.pattern);
      if (alternatives.every((a) => checkPath(a.base, rule))) out.push({ glob, alternatives });
    } catch (error) {
      if (!(error instanceof GlobCompileError)) throw error;
      refusals.push({ rule, reason: error.reason });
    }
  }
  return out;
}

/** `(require-all (subpath ROOT) (require-not (literal C)) (require-not (subpath C)) …)` per root spelling. */
function fileSection(
  comment: string,
  action: "allow",
  operations: string,
  sets: readonly AllowSet[],
  spellings: (p: string) => string[],
  params: ParamTable,
): string {
  if (sets.length === 0) return `; ${comment}\n; (none)\n`;
  const lines = [`; ${comment}`];
  for (const set of sets) {
    // Carve-outs name the path itself as well as its subtree, so a missing one cannot be created.
    const nots = set.carveOuts
      .flatMap(spellings)
      .map((c) => `(require-not (literal ${params.ref(c)})) (require-not (subpath ${params.ref(c)}))`);
    for (const root of spellings(set.root)) {
      const subpath = `(subpath ${params.ref(root)})`;
      lines.push(nots.length === 0 ? `(${action} ${operations} ${subpath})` : `(${action} ${operations} (require-all ${subpath} ${nots.join(" ")}))`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** stat() of the directories above each readable root, so realpath() and getcwd() can walk down to it. */
function ancestorMetadataSection(reads: readonly AllowSet[], spellings: (p: string) => string[], params: ParamTable): string {
  const ancestors = new Set<string>();
  for (const set of reads) for (const root of spellings(set.root)) for (const a of properAncestors(root)) ancestors.add(a);
  if (ancestors.size === 0) return "";
  const filters = [...ancestors].map((a) => `(literal ${params.ref(a)})`).join(" ");
  return `; Metadata (not contents) of the directories above readable roots: path walks need it.\n(allow file-read-metadata ${filters})\n`;
}

interface HardeningInput {
  readonly rules: readonly TreeRule[];
  readonly protectedPaths: readonly { readonly path: string }[];
  readonly globs: readonly CompiledGlob[];
  readonly writes: readonly AllowSet[];
  readonly matches: readonly string[];
  readonly spellings: (p: string) => string[];
  readonly within: Within;
  readonly params: ParamTable;
  readonly tag: string;
}

/**
 * A restriction is tied to a path, so renaming a directory above it would carry the protected content
 * to a path without the restriction (FS-09, MAC-07). Unlinking (and so renaming) every writable
 * directory above a denied, read-only or protected path, a glob's base and the directories holding
 * its existing matches is denied. `file-write-unlink` is more specific than the `file-write*` allows,
 * so it wins whatever the order.
 */
function renameHardeningSection(input: HardeningInput): string {
  const { spellings, within, params } = input;
  const targets = new Set<string>();
  const addAbove = (path: string, includeSelf: boolean): void => {
    for (const s of spellings(path)) {
      if (includeSelf) targets.add(s);
      for (const a of properAncestors(s)) targets.add(a);
    }
  };
  for (const rule of input.rules) if (rule.access !== "write") addAbove(rule.path, false);
  for (const p of input.protectedPaths) addAbove(p.path, false);
  for (const { alternatives } of input.globs) {
    for (const alt of alternatives) {
      addAbove(alt.base, true);
      for (const match of input.matches) {
        if (!within(match, alt.base)) continue;
        for (const dir of properAncestors(match)) if (within(dir, alt.base)) targets.add(dir);
      }
    }
  }
  const writable = [...targets].filter((t) => input.writes.some((w) => within(t, w.root))).sort();
  if (writable.length === 0) return "";
  const filters = writable.map((t) => `(literal ${params.ref(t)})`).join(" ");
  return `; Rename hardening: directories above restricted paths cannot be renamed or removed.\n(deny file-write-unlink ${filters} ${input.tag})\n`;
}

function networkSection(
  policy: ResolvedPolicy,
  facts: ProfileFacts,
  spellings: (p: string) => string[],
  params: ParamTable,
  refusals: Refusal[],
  checkPath: (p: string, rule: string) => boolean,
): string {
  const net = policy.network;
  const lines = ["; Network: nothing unless listed here. Outbound TCP only to the egress proxy on loopback (remote, never local, MAC-06)."];
  if (net.enabled) {
    if (net.enableSocks5Udp) {
      refusals.push({
        rule: "network.enable_socks5_udp = true",
        reason: "the SOCKS5 UDP relay port is chosen per association, and Seatbelt can only allow fixed loopback ports; allowing every loopback UDP port would also open local resolvers (DNS exfiltration)",
      });
    }
    const ports = [...new Set(facts.proxyPorts)].sort((a, b) => a - b);
    for (const port of ports) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        refusals.push({ rule: "egress proxy port", reason: `${port} is not a TCP port number` });
      }
    }
    const valid = ports.filter((p) => Number.isInteger(p) && p >= 1 && p <= 65535);
    if (valid.length > 0) {
      lines.push("; IPv4/IPv6 sockets, usable only towards the proxy ports below.");
      lines.push("(allow system-socket (socket-domain AF_INET) (socket-domain AF_INET6))");
      for (const port of valid) lines.push(`(allow network-outbound (remote ip ${sbplString(`localhost:${port}`)}))`);
      lines.push("; Certificate trust evaluation for TLS clients talking through the proxy.");
      lines.push(`(allow mach-lookup ${TLS_TRUST_SERVICES.map((s) => `(global-name ${sbplString(s)})`).join(" ")})`);
    } else {
      lines.push("; The network is enabled but no proxy port is bound: no outbound connection is allowed.");
    }
  }
  const sockets = net.unixSockets.filter((s) => s.decision === "allow" && checkPath(s.path, `${s.path} (${formatOrigin(s.origin)})`));
  if (sockets.length > 0) {
    lines.push("; Allowed unix sockets, by exact path; connect() to a unix socket is network-outbound.");
    lines.push("(allow system-socket (socket-domain AF_UNIX))");
    for (const socket of sockets) {
      for (const s of spellings(socket.path)) lines.push(`(allow network-outbound (remote unix-socket (path-literal ${params.ref(s)})))`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Deny globs, enforced natively (files created later included): `(subpath BASE)` for the literal base
 * (a parameter) and a case-insensitive regex for the rest, anchored behind the base's components.
 */
function denyGlobSection(globs: readonly CompiledGlob[], spellings: (p: string) => string[], params: ParamTable, tag: string): string {
  if (globs.length === 0) return "";
  const lines = ["; Deny globs: last, so they override every allow of the same operations above."];
  for (const { alternatives } of globs) {
    for (const alt of alternatives) {
      for (const base of spellings(alt.base)) {
        const subpath = `(subpath ${params.ref(base)})`;
        const filter = alt.tail === null ? subpath : `(require-all ${subpath} (regex ${sbplString(anchoredRegex(alt.tail, componentCount(base)))}))`;
        lines.push(`(deny ${READ_OPERATIONS} ${WRITE_OPERATIONS} ${filter} ${tag})`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function componentCount(path: string): number {
  return path.split("/").filter((c) => c !== "").length;
}

/** `/a/b/c` → `/`, `/a`, `/a/b`. */
export function properAncestors(path: string): string[] {
  const parts = path.split("/").filter((c) => c !== "");
  const out = ["/"];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join("/")}`);
  return parts.length === 0 ? [] : out;
}
