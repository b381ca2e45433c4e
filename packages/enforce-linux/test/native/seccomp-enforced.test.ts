// The seccomp filter installed by cordon-exec, exercised with real syscalls. Each case uses invalid
// arguments (bubblewrap try-syscall style) so an allowed call fails with some other errno, while the
// filter answers EPERM (ENOSYS for clone3); every denial is paired with a control run without the filter.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecSpec } from "../../src/exec-spec.js";
import type { SeccompOptions } from "../../src/native.js";
import { BASE_SPEC, createWorkspace, isLinux, isRoot, parseSys, ROOT, runHelper, seccompProgram, TEST_USERS, type TestUser, type Workspace } from "./harness.js";

const EPERM = 1;
const ENOSYS = 38;

let ws: Workspace;
beforeAll(() => {
  if (isLinux) ws = createWorkspace();
});
afterAll(() => ws?.cleanup());

/** Filtered result: a fixed errno, or "allowed" = same as the control run. */
type Expect = number | "allowed";

const DENIED = [
  "io_uring_setup", "io_uring_enter", "io_uring_register", "ptrace", "process_vm_readv", "process_vm_writev",
  "pidfd_getfd", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "unshare", "setns",
  "clone_newuser", "clone_newns", "clone_newnet", "clone_newuser_high", "mount", "umount2", "pivot_root", "chroot",
  "open_tree", "open_tree_attr", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
  "tiocsti", "tiocsti_high", "tioclinux", "personality_no_aslr", "kexec_load", "kexec_file_load", "init_module",
  "finit_module", "delete_module", "acct", "swapon", "swapoff", "reboot", "quotactl", "quotactl_fd",
  "lookup_dcookie", "name_to_handle_at", "open_by_handle_at", "vhangup",
];
const ALLOWED = ["clone_plain", "fork", "thread", "ioctl_tcgets", "personality_query", "personality_linux"];

/** Cases whose unfiltered result is already EPERM for an unprivileged caller: only root can tell filter from no filter. */
const ROOT_ONLY_CONTROL = new Set(["clone_newns", "clone_newnet", "pivot_root", "move_mount", "fsopen", "fsmount", "fspick", "acct", "swapoff", "reboot", "vhangup", "socket_packet"]);

const SOCKET_CASES = [
  "socket_unix", "socket_unix_dgram", "socket_inet", "socket_inet6", "socket_inet_high", "socket_netlink_route",
  "socket_netlink_uevent", "socket_packet", "socket_vsock", "socket_alg",
  "socketpair_stream", "socketpair_dgram", "socketpair_seqpacket", "socketpair_inet",
];

function socketExpectations(options: SeccompOptions): Record<string, Expect> {
  const allowIf = (cond: boolean): Expect => (cond ? "allowed" : EPERM);
  const inet = options.network !== "none";
  return {
    socket_unix: allowIf(options.allowUnixSockets),
    socket_unix_dgram: EPERM, // PROC-12: a datagram socket reaches paths with sendto(), past any connect() mediation
    socket_inet: allowIf(inet),
    socket_inet6: allowIf(inet),
    socket_inet_high: allowIf(inet), // the kernel ignores the high bits of the domain, and so must the filter
    socket_netlink_route: allowIf(options.network === "full"),
    socket_netlink_uevent: EPERM,
    socket_packet: EPERM,
    socket_vsock: EPERM,
    socket_alg: EPERM,
    socketpair_stream: "allowed",
    socketpair_dgram: EPERM, // PROC-12
    socketpair_seqpacket: allowIf(options.allowUnixSockets),
    socketpair_inet: EPERM,
  };
}

async function runCases(user: TestUser, cases: string[], options: SeccompOptions): Promise<{ filtered: Map<string, number>; control: Map<string, number> }> {
  const spec: ExecSpec = { ...BASE_SPEC, newSession: true, seccompProgram: seccompProgram(options) };
  const filtered = await runHelper({ spec, command: [ws.probe, "sys", ...cases], user });
  expect(filtered.stderr).toBe("");
  expect(filtered.code).toBe(0);
  // Control: the same probe without cordon-exec (root keeps its capabilities), in a new session without a tty.
  const control = await runHelper({ spec: BASE_SPEC, command: ["setsid", ws.probe, "sys", ...cases], direct: true, user });
  expect(control.code).toBe(0);
  return { filtered: parseSys(filtered.stdout), control: parseSys(control.stdout) };
}

function check(user: TestUser, results: { filtered: Map<string, number>; control: Map<string, number> }, expectations: Record<string, Expect>): void {
  for (const [name, expected] of Object.entries(expectations)) {
    const filtered = results.filtered.get(name);
    const control = results.control.get(name);
    expect(filtered, `${name}: no result`).toBeTypeOf("number");
    if (expected === "allowed") {
      expect(filtered, `${name} should behave as without the filter`).toBe(control);
    } else {
      expect(filtered, `${name} filtered`).toBe(expected);
      expect(control, `${name} control must differ from the filtered result`).not.toBe(expected);
    }
  }
}

describe.runIf(isLinux)("seccomp filter enforced by cordon-exec", () => {
  if (!isRoot) console.warn(`seccomp tests: not root, so cases needing privileges for a control are SKIPPED: ${[...ROOT_ONLY_CONTROL].join(", ")}`);

  for (const user of TEST_USERS) {
    describe(user.name, () => {
      const usable = (name: string) => user === ROOT || !ROOT_ONLY_CONTROL.has(name);

      it("denies the attack-surface syscalls with EPERM, clone3 with ENOSYS, and leaves ordinary calls alone", async () => {
        const names = [...DENIED, "clone3", ...ALLOWED].filter(usable);
        const results = await runCases(user, names, { network: "none", allowUnixSockets: false });
        const expectations: Record<string, Expect> = {};
        for (const name of DENIED.filter(usable)) expectations[name] = EPERM;
        expectations.clone3 = ENOSYS;
        for (const name of ALLOWED) expectations[name] = "allowed";
        check(user, results, expectations);
        expect(results.filtered.get("fork")).toBe(0);
        expect(results.filtered.get("thread")).toBe(0);
      });

      for (const network of ["none", "proxy", "full"] as const) {
        for (const allowUnixSockets of [false, true]) {
          it(`socket families for network=${network}, allowUnixSockets=${allowUnixSockets}`, async () => {
            const options = { network, allowUnixSockets };
            const names = SOCKET_CASES.filter(usable);
            const expectations = Object.fromEntries(Object.entries(socketExpectations(options)).filter(([name]) => usable(name)));
            check(user, await runCases(user, names, options), expectations);
          });
        }
      }
    });
  }

  it("refuses a program built for another architecture (125, command never runs)", async () => {
    const other = process.arch === "arm64" ? "x86_64" : "aarch64";
    const marker = ws.file("wrong-arch");
    const spec: ExecSpec = { ...BASE_SPEC, seccompProgram: seccompProgram({ network: "none", allowUnixSockets: false, arch: other }) };
    const result = await runHelper({ spec, command: [ws.probe, "write", marker] });
    expect(result.code).toBe(125);
    expect(result.stderr).toBe("cordon-exec: seccomp program does not start with the check for this architecture: Invalid argument\n");
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses a program the kernel rejects (125)", async () => {
    const good = seccompProgram({ network: "none", allowUnixSockets: false });
    const broken = good.slice(0, 16); // arch check only: falls off the end, which the kernel's verifier rejects
    const marker = ws.file("broken-program");
    const result = await runHelper({ spec: { ...BASE_SPEC, seccompProgram: broken }, command: [ws.probe, "write", marker] });
    expect(result.code).toBe(125);
    expect(result.stderr).toBe("cordon-exec: seccomp(SECCOMP_SET_MODE_FILTER): Invalid argument\n");
    expect(existsSync(marker)).toBe(false);
  });
});
