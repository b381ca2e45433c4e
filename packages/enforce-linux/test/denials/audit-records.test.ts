// Parsing and attribution of kernel audit records (pure): field parsing with hex-encoded untrusted strings,
// the sandbox's process tree from fork events, Landlock domain ownership, and the Denials built from them.
// The record texts are in the exact formats the 6.18 kernel here produced (see the real runs in collect.test.ts).
import { describe, expect, it } from "vitest";
import { deduplicate, denialsFromRecords, parseAuditFields, processTree, sandboxDomains, type RawAuditRecord } from "../../src/audit-records.js";

const NAMES = { x86_64: { 272: "unshare", 435: "clone3", 101: "ptrace" }, aarch64: { 97: "unshare" } } as const;
const names = (arch: "x86_64" | "aarch64"): Readonly<Record<number, string>> => NAMES[arch];

const seccomp = (pid: number, nr: number, opts: { comm?: string; arch?: string; code?: string } = {}): RawAuditRecord => ({
  type: 1326,
  text: `audit(1795460875.883:4): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=${pid} comm="${opts.comm ?? "sh"}" exe="/usr/bin/dash" sig=0 arch=${opts.arch ?? "c000003e"} syscall=${nr} compat=0 ip=0x7f47df02f829 code=${opts.code ?? "0x50000"}`,
});
const domain = (id: string, pid: number, status = "allocated"): RawAuditRecord => ({
  type: 1424,
  text: `audit(1795460875.887:5): domain=${id} status=${status} mode=enforcing pid=${pid} uid=0 exe="/opt/cordon-exec" comm="cordon-exec"`,
});
const access = (id: string, rest: string): RawAuditRecord => ({ type: 1423, text: `audit(1795460875.887:6): domain=${id} ${rest}` });

describe("parseAuditFields", () => {
  it("reads quoted and bare values and skips the audit(...) stamp", () => {
    const f = parseAuditFields('audit(1795460875.887:6): domain=17802f25f blockers=fs.read_file path="/etc/hostname" dev="vda" ino=612');
    expect(Object.fromEntries(f)).toEqual({ domain: "17802f25f", blockers: "fs.read_file", path: "/etc/hostname", dev: "vda", ino: "612" });
  });

  it("decodes hex-encoded untrusted strings (paths with spaces or quotes) but not other hex-looking values", () => {
    const hex = Buffer.from('/tmp/a b/"q"').toString("hex").toUpperCase();
    const f = parseAuditFields(`audit(1.2:3): domain=ABCDEF blockers=fs.write_file path=${hex} comm=6120B0`);
    expect(f.get("path")).toBe('/tmp/a b/"q"');
    expect(f.get("domain")).toBe("ABCDEF"); // not an untrusted-string field
    expect(f.get("comm")).toBe(Buffer.from("6120B0", "hex").toString("utf8"));
  });

  it("keeps the first occurrence of a key (a value cannot smuggle in a second pid=)", () => {
    const f = parseAuditFields('audit(1.2:3): pid=10 comm="x pid=99" pid=99');
    expect(f.get("pid")).toBe("10");
  });
});

describe("processTree", () => {
  it("follows forks at any depth, in any order, and leaves other processes out", () => {
    // root 100 → 101 → 103; 102 is someone else's child; 103's fork event arrives before 101's.
    const forks = [101, 103, 103, 100, 101, 101, 1, 102, 102];
    expect([...processTree(100, forks)].sort()).toEqual([100, 101, 103]);
  });

  it("adds the threads of tree processes (a thread names its process's parent as parent)", () => {
    // 101 is root's child; thread 150 of process 101 reports parent 100 (101's parent), tgid 101.
    const forks = [100, 101, 101, 100, 150, 101, 7, 160, 8];
    expect([...processTree(100, forks)].sort()).toEqual([100, 101, 150]);
  });

  it("is just the root without fork events", () => {
    expect([...processTree(42, new Int32Array(0))]).toEqual([42]);
  });
});

describe("sandboxDomains", () => {
  it("owns the domains a tree process created, not others, and not deallocation records", () => {
    const records = [domain("aaa", 101), domain("bbb", 999), domain("ccc", 101, "deallocated")];
    expect([...sandboxDomains(records, new Set([100, 101]))]).toEqual(["aaa"]);
  });
});

describe("denialsFromRecords", () => {
  const tree = new Set([100, 101]);

  it("lists a seccomp errno denial of a tree process by syscall name and number", () => {
    expect(denialsFromRecords([seccomp(101, 272, { comm: "unshare" })], tree, names)).toEqual([
      { kind: "syscall", operation: "unshare", target: "#272", detail: "seccomp returned EPERM to unshare" },
    ]);
  });

  it("ignores seccomp records of processes outside the tree (the control: the same record inside is listed)", () => {
    expect(denialsFromRecords([seccomp(555, 272)], tree, names)).toEqual([]);
    expect(denialsFromRecords([seccomp(100, 272)], tree, names)).toHaveLength(1);
  });

  it("does not list clone3's by-design ENOSYS, but lists a kill", () => {
    expect(denialsFromRecords([seccomp(101, 435)], tree, names)).toEqual([]);
    expect(denialsFromRecords([seccomp(101, 101, { code: "0x80000000", comm: "probe" })], tree, names)).toEqual([
      { kind: "syscall", operation: "ptrace", target: "#101", detail: "seccomp killed probe" },
    ]);
  });

  it("does not list actions that are not denials (user_notif goes to a supervisor, log allows)", () => {
    expect(denialsFromRecords([seccomp(101, 42, { code: "0x7fc00000" }), seccomp(101, 42, { code: "0x7ffc0000" })], tree, names)).toEqual([]);
    expect(denialsFromRecords([{ type: 1326, text: "audit(1.2:3): pid=101 arch=c000003e syscall=272" }], tree, names)).toEqual([]);
  });

  it("names syscalls per architecture and says when the architecture is foreign", () => {
    expect(denialsFromRecords([seccomp(101, 97, { arch: "c00000b7" })], tree, names)[0]?.operation).toBe("unshare");
    expect(denialsFromRecords([seccomp(101, 11, { arch: "40000003", code: "0x80000000" })], tree, names)).toEqual([
      { kind: "syscall", operation: "syscall 11 of a foreign architecture (40000003)", target: "#11", detail: "seccomp killed sh" },
    ]);
    expect(denialsFromRecords([seccomp(101, 999)], tree, names)[0]?.operation).toBe("syscall 999");
  });

  it("lists Landlock file denials of the sandbox's domain with the path, and not those of other domains", () => {
    const records = [
      access("aaa", 'blockers=fs.write_file path="/etc/passwd" dev="vda" ino=1'),
      domain("aaa", 101),
      access("bbb", 'blockers=fs.read_file path="/root/secret" dev="vda" ino=2'),
      domain("bbb", 777),
      access("aaa", 'blockers=fs.read_file path="/home/u/.ssh/id_rsa" dev="vda" ino=3'),
    ];
    expect(denialsFromRecords(records, tree, names)).toEqual([
      { kind: "file", operation: "fs.write_file", target: "/etc/passwd", detail: "Landlock" },
      { kind: "file", operation: "fs.read_file", target: "/home/u/.ssh/id_rsa", detail: "Landlock" },
    ]);
  });

  it("says when a path is the directory an entry was to be created in, or when only a name is known", () => {
    const records = [
      domain("aaa", 101),
      access("aaa", 'blockers=fs.make_reg path="/tmp/dl" dev="vda" ino=2148888'),
      access("aaa", 'blockers=fs.remove_file name="victim" dev="vda" ino=9'),
    ];
    expect(denialsFromRecords(records, tree, names)).toEqual([
      { kind: "file", operation: "fs.make_reg", target: "/tmp/dl", detail: "Landlock; the path is the directory the entry is in" },
      { kind: "file", operation: "fs.remove_file", target: "victim", detail: "Landlock; the kernel gave only the name" },
    ]);
  });

  it("maps Landlock network and scope denials", () => {
    const records = [
      domain("aaa", 101),
      access("aaa", "blockers=net.connect_tcp daddr=127.0.0.1 dest=443"),
      access("aaa", "blockers=net.bind_tcp src=8080"),
      access("aaa", 'blockers=scope.signal opid=1 ocomm="systemd"'),
    ];
    expect(denialsFromRecords(records, tree, names)).toEqual([
      { kind: "network", operation: "net.connect_tcp", target: "127.0.0.1 port 443", detail: "Landlock" },
      { kind: "network", operation: "net.bind_tcp", target: "local port 8080", detail: "Landlock" },
      { kind: "other", operation: "scope.signal", target: "pid 1 (systemd)", detail: "Landlock" },
    ]);
  });

  it("ignores Landlock records whose domain record never arrived (cannot be attributed)", () => {
    expect(denialsFromRecords([access("zzz", 'blockers=fs.read_file path="/x"')], tree, names)).toEqual([]);
  });
});

describe("deduplicate", () => {
  it("counts repeats in the detail and keeps distinct denials apart", () => {
    const d = { kind: "file", operation: "fs.read_file", target: "/a", detail: "Landlock" } as const;
    expect(deduplicate([d, d, d, { ...d, target: "/b" }])).toEqual([
      { ...d, detail: "Landlock, 3 times" },
      { ...d, target: "/b" },
    ]);
    expect(deduplicate([{ kind: "other", operation: "x", target: "y" }, { kind: "other", operation: "x", target: "y" }])).toEqual([
      { kind: "other", operation: "x", target: "y", detail: "2 times" },
    ]);
  });
});
