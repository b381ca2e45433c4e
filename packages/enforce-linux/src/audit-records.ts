// Turns raw kernel audit records (seccomp, Landlock access and domain) into the sandbox's Denials: parses
// the record text, works out which records came from the sandbox's process tree, and names what was denied.
// Pure functions: the collector (denials.ts) feeds them what the native reader gathered.
import type { Denial } from "@cordon/policy-model";

/** Audit record types the denial log reads (include/uapi/linux/audit.h). */
export const AUDIT_TYPE = { seccomp: 1326, landlockAccess: 1423, landlockDomain: 1424 } as const;

/** One audit record as the native collector hands it over. */
export interface RawAuditRecord {
  readonly type: number;
  readonly text: string;
}

/** AUDIT_ARCH_* tokens of the architectures cordon's seccomp filter supports. */
const AUDIT_ARCH_NAMES: Readonly<Record<string, "x86_64" | "aarch64">> = { c000003e: "x86_64", c00000b7: "aarch64" };

/** Fields the kernel writes with audit_log_untrustedstring: quoted when plain, hex-encoded otherwise. */
const UNTRUSTED_FIELDS = new Set(["path", "name", "exe", "comm", "ocomm", "proctitle"]);

/**
 * Splits "audit(1795460875.887:5): key=value key="quoted value" …" into its fields. Untrusted strings
 * that the kernel hex-encoded (they contained a space, quote or control byte) are decoded.
 */
export function parseAuditFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  const body = text.replace(/^audit\([^)]*\):\s*/, "");
  const pattern = /([A-Za-z_][A-Za-z0-9_-]*)=("([^"]*)"|\S*)/g;
  for (let m = pattern.exec(body); m !== null; m = pattern.exec(body)) {
    const key = m[1]!;
    if (fields.has(key)) continue; // the first occurrence is the record's own field
    const quoted = m[3];
    const raw = m[2]!;
    fields.set(key, quoted !== undefined ? quoted : UNTRUSTED_FIELDS.has(key) && /^(?:[0-9A-F]{2})+$/.test(raw) ? Buffer.from(raw, "hex").toString("utf8") : raw);
  }
  return fields;
}

/**
 * Host pids of the process tree rooted at `root` (the bwrap or helper process cordon spawned): every
 * process forked from it, at any depth, and their threads. `forks` holds (parentTgid, childPid, childTgid)
 * triples in any order (events from different CPUs may arrive out of order). Pids are only unique while
 * their process lives: a pid of the tree that exits and is reused by an unrelated process during the same
 * run would be counted in (that needs the pid space to wrap within one run).
 */
export function processTree(root: number, forks: ArrayLike<number>): Set<number> {
  const children = new Map<number, number[]>();
  const add = (parent: number, child: number): void => {
    const list = children.get(parent);
    if (list) list.push(child);
    else children.set(parent, [child]);
  };
  for (let i = 0; i + 2 < forks.length; i += 3) {
    const parentTgid = forks[i]!;
    const childPid = forks[i + 1]!;
    const childTgid = forks[i + 2]!;
    // A new thread reports its process's parent as parent: it belongs to childTgid.
    if (childPid !== childTgid) add(childTgid, childPid);
    else add(parentTgid, childTgid);
  }
  const tree = new Set<number>([root]);
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (tree.has(child)) continue;
      tree.add(child);
      queue.push(child);
    }
  }
  return tree;
}

/** Landlock domains (ids) whose domain record names a process of the tree as the one that created them. */
export function sandboxDomains(records: readonly RawAuditRecord[], tree: ReadonlySet<number>): Set<string> {
  const domains = new Set<string>();
  for (const record of records) {
    if (record.type !== AUDIT_TYPE.landlockDomain) continue;
    const fields = parseAuditFields(record.text);
    const domain = fields.get("domain");
    if (domain !== undefined && fields.get("status") === "allocated" && tree.has(Number(fields.get("pid")))) domains.add(domain);
  }
  return domains;
}

/** Names of syscalls by number for one architecture (from the addon's syscall table). */
export type SyscallNames = (arch: "x86_64" | "aarch64") => Readonly<Record<number, string>>;

/**
 * SECCOMP_RET_* action in the record's code= field (the errno data is not logged). Only errno and kill
 * are denials: user_notif hands the call to a supervisor (which decides and reports itself), log allows it.
 */
function seccompAction(code: string | undefined): "errno" | "kill" | "other" {
  const value = Number.parseInt(code ?? "", 16);
  if (Number.isNaN(value)) return "other";
  const action = (value & 0xffff0000) >>> 0; // SECCOMP_RET_ACTION_FULL, unsigned
  if (action === 0x00050000) return "errno";
  if (action === 0x80000000 || action === 0x00000000) return "kill"; // KILL_PROCESS, KILL_THREAD
  return "other";
}

function seccompDenial(fields: Map<string, string>, names: SyscallNames): Denial | null {
  const nr = Number(fields.get("syscall"));
  const archToken = fields.get("arch") ?? "";
  const arch = AUDIT_ARCH_NAMES[archToken];
  const name = arch ? names(arch)[nr] : undefined;
  const action = seccompAction(fields.get("code"));
  if (action === "other") return null;
  // clone3 gets ENOSYS by design (its flags are out of seccomp's reach, libc falls back to clone): not a denial.
  if (name === "clone3" && action === "errno") return null;
  const comm = fields.get("comm") ?? "?";
  const detail = action === "errno" ? `seccomp returned EPERM to ${comm}` : `seccomp killed ${comm}`;
  return {
    kind: "syscall",
    operation: name ?? (arch ? `syscall ${nr}` : `syscall ${nr} of a foreign architecture (${archToken})`),
    target: `#${nr}`,
    detail,
  };
}

function describeNetworkTarget(fields: Map<string, string>): string {
  const daddr = fields.get("daddr");
  const dest = fields.get("dest");
  if (dest !== undefined) return daddr !== undefined ? `${daddr} port ${dest}` : `port ${dest}`;
  const src = fields.get("src") ?? fields.get("lport");
  if (src !== undefined) return `local port ${src}`;
  return fields.get("path") ?? "?";
}

function landlockDenial(fields: Map<string, string>): Denial {
  const blockers = fields.get("blockers") ?? "?";
  if (blockers.startsWith("fs.")) {
    const path = fields.get("path");
    const name = fields.get("name");
    // Creating or removing an entry is checked on (and logged against) the directory that holds it.
    const onDirectory = path !== undefined && /(^|,)fs\.(make_|remove_|refer)/.test(blockers);
    const detail = onDirectory ? "Landlock; the path is the directory the entry is in" : name !== undefined && path === undefined ? "Landlock; the kernel gave only the name" : "Landlock";
    return { kind: "file", operation: blockers, target: path ?? name ?? "?", detail };
  }
  if (blockers.startsWith("net.")) return { kind: "network", operation: blockers, target: describeNetworkTarget(fields), detail: "Landlock" };
  const opid = fields.get("opid");
  const target = opid !== undefined ? `pid ${opid}${fields.has("ocomm") ? ` (${fields.get("ocomm")})` : ""}` : fields.get("path") ?? "?";
  return { kind: "other", operation: blockers, target, detail: "Landlock" };
}

/** One Denial per distinct (kind, operation, target, detail); repeats are counted in the detail. */
export function deduplicate(denials: readonly Denial[]): Denial[] {
  const counts = new Map<string, { denial: Denial; count: number }>();
  for (const d of denials) {
    const key = JSON.stringify([d.kind, d.operation, d.target, d.detail ?? ""]);
    const seen = counts.get(key);
    if (seen) seen.count += 1;
    else counts.set(key, { denial: d, count: 1 });
  }
  return [...counts.values()].map(({ denial, count }) => (count === 1 ? denial : { ...denial, detail: `${denial.detail ?? ""}${denial.detail ? ", " : ""}${count} times` }));
}

/**
 * The sandbox's denials among `records`: seccomp records from a process of `tree`, and Landlock access
 * records of a domain that a process of `tree` created. Everything else on the system is ignored.
 */
export function denialsFromRecords(records: readonly RawAuditRecord[], tree: ReadonlySet<number>, names: SyscallNames): Denial[] {
  const domains = sandboxDomains(records, tree);
  const denials: Denial[] = [];
  for (const record of records) {
    if (record.type === AUDIT_TYPE.seccomp) {
      const fields = parseAuditFields(record.text);
      if (!tree.has(Number(fields.get("pid")))) continue;
      const denial = seccompDenial(fields, names);
      if (denial) denials.push(denial);
    } else if (record.type === AUDIT_TYPE.landlockAccess) {
      const fields = parseAuditFields(record.text);
      const domain = fields.get("domain");
      if (domain !== undefined && domains.has(domain)) denials.push(landlockDenial(fields));
    }
  }
  return deduplicate(denials);
}
