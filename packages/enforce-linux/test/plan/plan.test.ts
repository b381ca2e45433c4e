// Unit tests of the pure Linux planner: argv shape, mount order, masks, placeholders and every refusal.
import { describe, expect, it } from "vitest";
import { planLinux } from "../../src/plan/plan.js";
import type { LinuxPlan } from "../../src/types.js";
import { simulateMounts, simulatedAccess } from "../helpers/mount-sim.js";
import { DIR, FILE, MISSING, SYMLINK, denyGlob, makeFacts, makePolicy, metadata, rule } from "../helpers/policy.js";

const CMD = { argv: ["echo", "hi"], cwd: "/w", env: { PATH: "/usr/bin" } };
const EMPTY = "/run/user/1000/cordon/empty";

function okPlan(result: ReturnType<typeof planLinux>): LinuxPlan {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
  return result.plan;
}
function refusals(result: ReturnType<typeof planLinux>): string[] {
  if (result.ok) throw new Error("expected a refusal");
  return result.refusal.map((r) => `${r.rule} :: ${r.reason}`);
}
function access(plan: LinuxPlan, path: string, exists = true) {
  return simulatedAccess(simulateMounts(plan.argv, EMPTY), path, exists);
}
function bwrapArgs(plan: LinuxPlan): string[] {
  return plan.argv.slice(1, plan.argv.indexOf("--"));
}

describe("planLinux: modes", () => {
  it("runs :danger-full-access directly, saying so", () => {
    const plan = okPlan(planLinux(makePolicy({ rules: [], unrestricted: true, profile: ":danger-full-access" }), CMD, makeFacts()));
    expect(plan.mode).toBe("direct");
    expect(plan.argv).toEqual(["echo", "hi"]);
    expect(plan.notes.join(" ")).toContain("without any sandbox");
  });

  it("wraps the command in bwrap and the helper, with every namespace and no capabilities", () => {
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/", "read")] }), CMD, makeFacts()));
    expect(plan.mode).toBe("bwrap");
    expect(plan.argv[0]).toBe("/usr/bin/bwrap");
    const args = bwrapArgs(plan);
    for (const flag of ["--new-session", "--die-with-parent", "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--disable-userns"]) {
      expect(args).toContain(flag);
    }
    expect(args.join(" ")).toContain("--cap-drop ALL");
    expect(args.join(" ")).toContain("--dev /dev --proc /proc");
    expect(args).not.toContain("--dev-bind");
    expect(plan.argv.slice(plan.argv.indexOf("--"))).toEqual(["--", "/opt/cordon/cordon-exec", "--spec-fd", "3", "--", "echo", "hi"]);
    expect(plan.execSpec).toMatchObject({ newSession: true, newKeyring: true, keepFds: [] });
    expect(plan.seccomp).toEqual({ network: "none", allowUnixSockets: false });
  });

  it("uses a read-only bind of / when / is readable, and an empty read-only tmpfs otherwise", () => {
    const readable = okPlan(planLinux(makePolicy({ rules: [rule("/", "read")] }), CMD, makeFacts()));
    expect(bwrapArgs(readable).join(" ")).toContain("--ro-bind / /");
    const minimal = okPlan(planLinux(makePolicy({ rules: [rule("/usr", "read"), rule("/w", "write")] }), CMD, makeFacts()));
    const args = bwrapArgs(minimal).join(" ");
    expect(args).toContain("--perms 0755 --tmpfs /");
    expect(args).toContain("--remount-ro /");
    expect(args).toContain("--ro-bind /usr /usr");
    expect(args).toContain("--bind /w /w");
    expect(access(minimal, "/etc/passwd")).toMatchObject({ read: false, write: false });
    expect(access(minimal, "/usr/bin/ls")).toMatchObject({ read: true, write: false });
    expect(access(minimal, "/w/x")).toMatchObject({ read: true, write: true });
  });

  it("mounts the helper read-only even inside a writable root, and masks the runtime dir", () => {
    const facts = makeFacts({ execHelper: "/w/build/cordon-exec", runtimeDir: "/w/run" });
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/", "read"), rule("/w", "write")] }), CMD, facts));
    expect(access(plan, "/w/build/cordon-exec")).toMatchObject({ read: true, write: false });
    expect(access(plan, "/w/run/journal")).toMatchObject({ read: false, write: false });
    expect(access(plan, "/w/build/other")).toMatchObject({ read: true, write: true });
  });

  it("adds the command's executable under :minimal", () => {
    const facts = makeFacts({ commandPath: "/opt/tools/bin/tool" }, { "/opt/tools/bin/tool": FILE });
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/usr", "read")], minimal: true }), CMD, facts));
    expect(access(plan, "/opt/tools/bin/tool")).toMatchObject({ read: true, write: false });
    expect(access(plan, "/opt/tools/bin/other")).toMatchObject({ read: false });
  });
});

describe("planLinux: mount order (FS-13)", () => {
  const rules = [rule("/", "read"), rule("/home/u", "write"), rule("/home/u/work", "write"), rule("/home/u/work/.env", "deny"), rule("/home/u/work/secrets", "deny"), rule("/home/u/work/secrets/pub", "read")];
  const paths = { "/home/u/work/.env": FILE };
  const protectedPaths = [metadata("/home/u/work/.git", "directory", "/home/u/work")];

  for (const [name, order] of [["as written", rules], ["reversed", [...rules].reverse()]] as const) {
    it(`keeps carve-outs whatever order the rules are in (${name})`, () => {
      const plan = okPlan(planLinux(makePolicy({ rules: [...order], protectedPaths }), CMD, makeFacts({}, paths)));
      expect(access(plan, "/home/u/work/.git/config")).toMatchObject({ read: true, write: false });
      expect(access(plan, "/home/u/work/.env")).toMatchObject({ read: false, write: false });
      expect(access(plan, "/home/u/work/secrets/key")).toMatchObject({ read: false, write: false });
      expect(access(plan, "/home/u/work/secrets/pub/k")).toMatchObject({ read: true, write: false });
      expect(access(plan, "/home/u/work/src/a.ts")).toMatchObject({ read: true, write: true });
      expect(access(plan, "/home/u/notes")).toMatchObject({ read: true, write: true });
    });
  }

  it("keeps a denied directory with an allowed child traversable but not listable, read-only, children pre-created", () => {
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/", "read"), rule("/r", "write"), rule("/r/a", "deny"), rule("/r/a/b/c", "write")] }), CMD, makeFacts()));
    const args = bwrapArgs(plan).join(" ");
    expect(args).toContain("--perms 0111 --tmpfs /r/a");
    expect(args).toContain("--perms 0111 --dir /r/a/b");
    expect(args.indexOf("--remount-ro /r/a")).toBeGreaterThan(args.indexOf("--bind /r/a/b/c /r/a/b/c"));
    expect(access(plan, "/r/a/b/c/x")).toMatchObject({ read: true, write: true });
    expect(access(plan, "/r/a/other")).toMatchObject({ read: false, write: false });
  });

  it("masks a denied directory with an empty unreadable read-only tmpfs and a denied file with the empty file", () => {
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/", "read"), rule("/s", "deny"), rule("/f", "deny")] }), CMD, makeFacts({}, { "/f": FILE })));
    const args = bwrapArgs(plan).join(" ");
    expect(args).toContain("--perms 0000 --tmpfs /s");
    expect(args).toContain("--remount-ro /s");
    expect(args).toContain(`--ro-bind ${EMPTY} /f`);
  });

  it("does not mount a missing read root, and skips masks where nothing is visible", () => {
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/usr", "read"), rule("/gone", "read"), rule("/hidden", "deny")] }), CMD, makeFacts({}, { "/gone": MISSING })));
    const args = bwrapArgs(plan).join(" ");
    expect(args).not.toContain("/gone");
    expect(args).not.toContain("/hidden");
  });
});

describe("planLinux: protected metadata and placeholders", () => {
  const rules = [rule("/", "read"), rule("/w", "write")];

  it("binds existing metadata read-only", () => {
    const plan = okPlan(planLinux(makePolicy({ rules, protectedPaths: [metadata("/w/.git", "directory", "/w")] }), CMD, makeFacts()));
    expect(bwrapArgs(plan).join(" ")).toContain("--ro-bind /w/.git /w/.git");
    expect(plan.placeholders).toEqual([]);
  });

  it("makes missing metadata an empty read-only directory and journals the host placeholder", () => {
    const plan = okPlan(planLinux(makePolicy({ rules, protectedPaths: [metadata("/w/.codex", "missing", "/w")] }), CMD, makeFacts({}, { "/w/.codex": MISSING })));
    const args = bwrapArgs(plan).join(" ");
    expect(args).toContain("--perms 0555 --tmpfs /w/.codex");
    expect(args).toContain("--remount-ro /w/.codex");
    expect(plan.placeholders).toEqual([{ path: "/w/.codex", kind: "directory" }]);
    expect(access(plan, "/w/.codex/config.toml", false)).toMatchObject({ creatable: false });
  });

  it("leaves missing metadata alone when creation is allowed (parent repo discovery)", () => {
    const plan = okPlan(planLinux(makePolicy({ rules, protectedPaths: [metadata("/w/.git", "missing", "/w", false)] }), CMD, makeFacts({}, { "/w/.git": MISSING })));
    expect(bwrapArgs(plan).join(" ")).not.toContain("/w/.git");
  });

  it("journals every missing component bwrap creates for a placeholder", () => {
    const plan = okPlan(planLinux(makePolicy({ rules: [...rules, rule("/w/a/b", "read")] }), CMD, makeFacts({}, { "/w/a": MISSING, "/w/a/b": MISSING })));
    expect(plan.placeholders).toEqual([
      { path: "/w/a", kind: "directory" },
      { path: "/w/a/b", kind: "file" },
    ]);
    expect(bwrapArgs(plan).join(" ")).toContain(`--ro-bind ${EMPTY} /w/a/b`);
  });

  it("needs no placeholder for a missing path under a read-only parent", () => {
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/", "read")], protectedPaths: [metadata("/r/.codex", "missing", "/r")] }), CMD, makeFacts({}, { "/r/.codex": MISSING })));
    expect(plan.placeholders).toEqual([]);
  });
});

describe("planLinux: deny globs", () => {
  it("masks every match and its canonical target", () => {
    const facts = makeFacts({ globMatches: [{ path: "/w/.env", pattern: "/w/**/*.env", canonical: null }, { path: "/w/sub/dev.env", pattern: "/w/**/*.env", canonical: null }] }, { "/w/.env": FILE, "/w/sub/dev.env": FILE });
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/", "read"), rule("/w", "write")], denyGlobs: [denyGlob("/w/**/*.env", "/w")] }), CMD, facts));
    expect(access(plan, "/w/.env")).toMatchObject({ read: false, write: false });
    expect(access(plan, "/w/sub/dev.env")).toMatchObject({ read: false, write: false });
    expect(access(plan, "/w/sub/other")).toMatchObject({ read: true, write: true });
  });

  it("refuses when the scan failed, naming the error", () => {
    const r = refusals(planLinux(makePolicy({ rules: [rule("/", "read")], denyGlobs: [denyGlob("/w/**/*.env", "/w")] }), CMD, makeFacts({ globMatches: { error: "EACCES: permission denied, scandir '/w/locked'" } })));
    expect(r.join("\n")).toContain("the deny-glob scan failed, so the matches cannot be masked: EACCES: permission denied, scandir '/w/locked'");
  });
});

describe("planLinux: refusals", () => {
  const base = [rule("/", "read"), rule("/w", "write")];

  it("refuses a mask that crosses a symlink the sandbox can write (FS-11/FS-12)", () => {
    const r = refusals(planLinux(makePolicy({ rules: [...base, rule("/w/.bashrc", "deny")] }), CMD, makeFacts({}, { "/w/.bashrc": SYMLINK })));
    expect(r.join("\n")).toContain(`"/w/.bashrc" = "deny" (/etc/cordon/config.toml:7) :: cannot enforce /w/.bashrc: it crosses the symlink /w/.bashrc, which the sandbox can write`);
  });

  it("refuses a deny glob match that is a symlink in a writable root", () => {
    const facts = makeFacts({ globMatches: [{ path: "/w/x.env", pattern: "/w/*.env", canonical: "/etc/hostname" }] }, { "/w/x.env": SYMLINK });
    const r = refusals(planLinux(makePolicy({ rules: base, denyGlobs: [denyGlob("/w/*.env", "/w")] }), CMD, facts));
    expect(r.join("\n")).toContain("crosses the symlink /w/x.env, which the sandbox can write");
  });

  it("follows a symlink the sandbox cannot write, mounting at the canonical target", () => {
    const facts = makeFacts({ canonical: { "/home/u": "/data/u", "/home/u/.ssh": "/data/u/.ssh" } }, { "/home": DIR, "/home/u": SYMLINK });
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/", "read"), rule("/home/u/.ssh", "deny")] }), CMD, facts));
    expect(bwrapArgs(plan).join(" ")).toContain("--tmpfs /data/u/.ssh");
  });

  it("refuses a denied file with hard-link aliases (FS-06)", () => {
    const r = refusals(planLinux(makePolicy({ rules: [...base, rule("/w/key", "deny")] }), CMD, makeFacts({}, { "/w/key": { kind: "file", nlink: 2 } })));
    expect(r.join("\n")).toContain("cannot enforce deny on /w/key: it has 2 hard links, and the other names would stay readable");
  });

  it("refuses allowed unix sockets while cordon-exec has no unix socket mediation (a denied one is fine); network itself is planned", () => {
    const policy = makePolicy({ rules: base, networkEnabled: true, unixSockets: [{ path: "/run/docker.sock", decision: "allow" }, { path: "/run/x.sock", decision: "deny" }] });
    const r = refusals(planLinux(policy, CMD, makeFacts()));
    expect(r).toEqual([
      `unix_sockets."/run/docker.sock" = "allow" (/etc/cordon/config.toml:7) :: allowing a unix socket is not supported by this cordon-exec: its seccomp filter cannot open one socket path without opening every pathname socket the sandbox can see (no unix socket mediation in the native helper)`,
    ]);
    expect(okPlan(planLinux(makePolicy({ rules: base, networkEnabled: true, unixSockets: [{ path: "/run/x.sock", decision: "deny" }] }), CMD, makeFacts())).network).not.toBeNull();
  });

  it("refuses without the native helper or seccomp, never planning a helper-less run", () => {
    const r = refusals(planLinux(makePolicy({ rules: base }), CMD, makeFacts({ execHelper: null, seccomp: false })));
    expect(r.join("\n")).toContain("native helper not built");
    expect(r.join("\n")).toContain("does not offer seccomp filters");
  });

  it("refuses root without Landlock", () => {
    const r = refusals(planLinux(makePolicy({ rules: base }), CMD, makeFacts({ uid: 0, landlockAbi: 0 })));
    expect(r.join("\n")).toContain("cordon needs Landlock");
    expect(planLinux(makePolicy({ rules: base }), CMD, makeFacts({ uid: 1000, landlockAbi: 0 })).ok).toBe(true);
  });

  it("refuses bwrap mode without user namespaces, naming the sysctl", () => {
    const r = refusals(planLinux(makePolicy({ rules: base }), CMD, makeFacts({ mode: "bwrap", userNamespaces: false })));
    expect(r.join("\n")).toContain("kernel.apparmor_restrict_unprivileged_userns=0");
    const r2 = refusals(planLinux(makePolicy({ rules: base }), CMD, makeFacts({ mode: "bwrap", bwrap: null })));
    expect(r2.join("\n")).toContain("apt-get install bubblewrap");
  });
});

describe("planLinux: Landlock-only mode", () => {
  const noBwrap = { bwrap: null };

  it("is chosen without bubblewrap and runs an expressible profile through the helper alone", () => {
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/", "read"), rule("/w", "write")] }), CMD, makeFacts(noBwrap)));
    expect(plan.mode).toBe("landlock-only");
    expect(plan.argv).toEqual(["/opt/cordon/cordon-exec", "--spec-fd", "3", "--", "echo", "hi"]);
    expect(plan.execSpec?.landlock?.rules).toEqual(expect.arrayContaining([{ path: "/", rights: "read" }, { path: "/w", rights: "write" }, { path: "/dev/null", rights: "write" }]));
    expect(plan.execSpec?.landlock).toMatchObject({ minAbi: 6, scopeSignals: true, scopeAbstractUnix: true, tcpConnectPorts: [], denyTcpBind: true });
  });

  it("can be forced through facts, and refuses carve-outs inside allowed trees naming rule and reason", () => {
    const policy = makePolicy({ rules: [rule("/", "read"), rule("/w", "write"), rule("/w/docs", "read"), rule("/w/.env", "deny")], protectedPaths: [metadata("/w/.git", "directory", "/w"), metadata("/w/.codex", "missing", "/w")] });
    const r = refusals(planLinux(policy, CMD, makeFacts({ mode: "landlock-only" }, { "/w/.codex": MISSING })));
    const text = r.join("\n");
    expect(text).toContain(`"/w/docs" = "read" (/etc/cordon/config.toml:7) :: /w/docs would be writable: Landlock cannot make read-only a path inside an allowed tree (Landlock-only mode, because it was requested)`);
    expect(text).toContain(`"/w/.env" = "deny" (/etc/cordon/config.toml:7) :: /w/.env would be writable: Landlock cannot deny a path inside an allowed tree`);
    expect(text).toContain("protected metadata /w/.git (.git) :: /w/.git would be writable");
    expect(text).toContain("/w/.codex would be writable: Landlock cannot make read-only a path inside an allowed tree (it is missing and could be created)");
  });

  it("refuses glob matches inside allowed trees, and old Landlock ABIs", () => {
    const facts = makeFacts({ ...noBwrap, landlockAbi: 3, globMatches: [{ path: "/w/.env", pattern: "/w/*.env", canonical: null }] }, { "/w/.env": FILE });
    const r = refusals(planLinux(makePolicy({ rules: [rule("/", "read")], denyGlobs: [denyGlob("/w/*.env", "/w")] }), CMD, facts));
    expect(r.join("\n")).toContain("deny glob /w/*.env matched /w/.env :: /w/.env would be readable: Landlock cannot deny a path inside an allowed tree (Landlock-only mode, because bubblewrap is not installed (apt-get install bubblewrap))");
    expect(r.join("\n")).toContain("Landlock-only mode needs Landlock ABI 6");
  });

  it("accepts a deny outside every allowed tree", () => {
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/usr", "read"), rule("/w", "write"), rule("/home/u/.ssh", "deny")] }), CMD, makeFacts(noBwrap)));
    expect(plan.mode).toBe("landlock-only");
  });
});

describe("planLinux: symlinked roots on an empty root", () => {
  it("recreates a merged-/usr symlink (/bin -> /usr/bin) when / is not readable", () => {
    const facts = makeFacts({ canonical: { "/bin": "/usr/bin" } }, { "/bin": SYMLINK, "/usr": DIR });
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/usr", "read"), rule("/bin", "read")] }), CMD, facts));
    const args = bwrapArgs(plan).join(" ");
    expect(args).toContain("--symlink /usr/bin /bin");
    expect(args.indexOf("--symlink /usr/bin /bin")).toBeLessThan(args.indexOf("--remount-ro /"));
  });

  it("does not recreate it when / is readable (the host's symlink is visible)", () => {
    const facts = makeFacts({ canonical: { "/bin": "/usr/bin" } }, { "/bin": SYMLINK });
    const plan = okPlan(planLinux(makePolicy({ rules: [rule("/", "read"), rule("/bin", "read")] }), CMD, facts));
    expect(bwrapArgs(plan)).not.toContain("--symlink");
  });
});
