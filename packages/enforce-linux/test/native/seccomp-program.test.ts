// The seccomp program's decisions for both architectures, checked by interpreting the real bytes the
// addon builds (the aarch64 program cannot run on an x86_64 host; seccomp-enforced.test.ts runs the native one).
import { describe, expect, it } from "vitest";
import { loadNative, type SeccompOptions } from "../../src/native.js";
import {
  AUDIT_ARCH_AARCH64,
  AUDIT_ARCH_ARM,
  AUDIT_ARCH_I386,
  AUDIT_ARCH_X86_64,
  runFilter,
  type Verdict,
} from "./bpf-interpreter.js";
import { isLinux } from "./harness.js";

const EPERM: Verdict = { action: "errno", errno: 1 };
const ENOSYS: Verdict = { action: "errno", errno: 38 };
const ALLOW: Verdict = { action: "allow" };
const KILL: Verdict = { action: "kill" };

type Arch = "x86_64" | "aarch64";
const AUDIT: Record<Arch, number> = { x86_64: AUDIT_ARCH_X86_64, aarch64: AUDIT_ARCH_AARCH64 };

// Independent copy of the numbers (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h).
const NR: Record<Arch, Record<string, number>> = {
  x86_64: {
    read: 0, openat: 257, execve: 59, write: 1, kill: 62, prctl: 157, seccomp: 317, landlock_restrict_self: 446,
    socket: 41, socketpair: 53, clone: 56, clone3: 435, ioctl: 16, personality: 135,
    io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427, ptrace: 101, process_vm_readv: 310,
    process_vm_writev: 311, pidfd_getfd: 438, keyctl: 250, add_key: 248, request_key: 249, bpf: 321,
    perf_event_open: 298, userfaultfd: 323, unshare: 272, setns: 308, mount: 165, umount2: 166, pivot_root: 155,
    chroot: 161, open_tree: 428, open_tree_attr: 467, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432,
    fspick: 433, mount_setattr: 442, kexec_load: 246, kexec_file_load: 320, init_module: 175, finit_module: 313,
    delete_module: 176, acct: 163, swapon: 167, swapoff: 168, reboot: 169, quotactl: 179, quotactl_fd: 443,
    lookup_dcookie: 212, name_to_handle_at: 303, open_by_handle_at: 304, vhangup: 153,
  },
  aarch64: {
    read: 63, openat: 56, execve: 221, write: 64, kill: 129, prctl: 167, seccomp: 277, landlock_restrict_self: 446,
    socket: 198, socketpair: 199, clone: 220, clone3: 435, ioctl: 29, personality: 92,
    io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427, ptrace: 117, process_vm_readv: 270,
    process_vm_writev: 271, pidfd_getfd: 438, keyctl: 219, add_key: 217, request_key: 218, bpf: 280,
    perf_event_open: 241, userfaultfd: 282, unshare: 97, setns: 268, mount: 40, umount2: 39, pivot_root: 41,
    chroot: 51, open_tree: 428, open_tree_attr: 467, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432,
    fspick: 433, mount_setattr: 442, kexec_load: 104, kexec_file_load: 294, init_module: 105, finit_module: 273,
    delete_module: 106, acct: 89, swapon: 224, swapoff: 225, reboot: 142, quotactl: 60, quotactl_fd: 443,
    lookup_dcookie: 18, name_to_handle_at: 264, open_by_handle_at: 265, vhangup: 58,
  },
};

const DENIED_OUTRIGHT = [
  "io_uring_setup", "io_uring_enter", "io_uring_register", "ptrace", "process_vm_readv", "process_vm_writev",
  "pidfd_getfd", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "unshare", "setns",
  "mount", "umount2", "pivot_root", "chroot", "open_tree", "open_tree_attr", "move_mount", "fsopen", "fsconfig",
  "fsmount", "fspick", "mount_setattr", "kexec_load", "kexec_file_load", "init_module", "finit_module",
  "delete_module", "acct", "swapon", "swapoff", "reboot", "quotactl", "quotactl_fd", "lookup_dcookie",
  "name_to_handle_at", "open_by_handle_at", "vhangup",
];
const ALLOWED_PLAIN = ["read", "openat", "execve", "write", "kill", "prctl", "seccomp", "landlock_restrict_self"];

const AF = { UNIX: 1, INET: 2, INET6: 10, NETLINK: 16, PACKET: 17, VSOCK: 40, ALG: 38, BLUETOOTH: 31, KEY: 15 } as const;
const SOCK = { STREAM: 1, DGRAM: 2, RAW: 3, RDM: 4, SEQPACKET: 5, NONBLOCK: 0x800, CLOEXEC: 0x80000 } as const;
const SECCOMP_SET_MODE_FILTER = 1n;
const SECCOMP_FILTER_FLAG = { TSYNC: 1n, LOG: 2n, NEW_LISTENER: 8n } as const;
const CLONE_NEW = { NEWNS: 0x20000, NEWCGROUP: 0x2000000, NEWUTS: 0x4000000, NEWIPC: 0x8000000, NEWUSER: 0x10000000, NEWPID: 0x20000000, NEWNET: 0x40000000 };
const TIOCSTI = 0x5412n;
const TIOCLINUX = 0x541cn;
const TCGETS = 0x5401n;

function build(options: SeccompOptions): Uint8Array {
  return loadNative().buildSeccompProgram(options);
}

describe.runIf(isLinux)("buildSeccompProgram", () => {
  for (const arch of ["x86_64", "aarch64"] as const) {
    describe(arch, () => {
      const program = build({ network: "none", allowUnixSockets: false, arch });
      const nr = NR[arch];
      const call = (name: string, args: bigint[] = [], options?: SeccompOptions): Verdict =>
        runFilter(options ? build({ ...options, arch }) : program, { nr: nr[name]!, arch: AUDIT[arch], args });

      it("is a well-formed struct sock_filter array that checks the architecture first", () => {
        expect(program).toBeInstanceOf(Uint8Array);
        expect(program.length % 8).toBe(0);
        expect(program.length / 8).toBeLessThanOrEqual(4096);
        const view = new DataView(program.buffer, program.byteOffset);
        expect(view.getUint16(0, true)).toBe(0x20); // ld [arch]
        expect(view.getUint32(4, true)).toBe(4);
        expect(view.getUint16(8, true)).toBe(0x15); // jeq AUDIT_ARCH_…
        expect(view.getUint32(12, true)).toBe(AUDIT[arch]);
      });

      it("kills the process for any other architecture (i386, arm, the other supported arch)", () => {
        const other = arch === "x86_64" ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64;
        for (const foreign of [AUDIT_ARCH_I386, AUDIT_ARCH_ARM, other]) {
          expect(runFilter(program, { nr: nr.read!, arch: foreign })).toEqual(KILL);
        }
        expect(runFilter(program, { nr: nr.read!, arch: AUDIT[arch] })).toEqual(ALLOW);
      });

      if (arch === "x86_64") {
        it("kills x32-ABI syscalls (nr with bit 30 set)", () => {
          expect(runFilter(program, { nr: 0x4000_0000 | nr.read!, arch: AUDIT[arch] })).toEqual(KILL);
          expect(runFilter(program, { nr: 0x4000_0000 | nr.socket!, arch: AUDIT[arch] })).toEqual(KILL);
        });
      }

      it.each(DENIED_OUTRIGHT)("denies %s with EPERM", (name) => {
        expect(call(name)).toEqual(EPERM);
      });

      it.each(ALLOWED_PLAIN)("allows %s", (name) => {
        expect(call(name)).toEqual(ALLOW);
      });

      it("answers clone3 with ENOSYS so libc falls back to clone", () => {
        expect(call("clone3")).toEqual(ENOSYS);
      });

      it("denies clone with any namespace flag, checking the low 32 bits, and allows fork/thread clones", () => {
        for (const flag of Object.values(CLONE_NEW)) {
          expect(call("clone", [BigInt(flag | 17)])).toEqual(EPERM);
          expect(call("clone", [(1n << 32n) | BigInt(flag)])).toEqual(EPERM);
        }
        expect(call("clone", [17n])).toEqual(ALLOW); // SIGCHLD: fork
        expect(call("clone", [0x3d0f00n])).toEqual(ALLOW); // glibc pthread_create flags
        expect(call("clone", [1n << 32n])).toEqual(ALLOW);
      });

      it("denies TIOCSTI and TIOCLINUX whatever the high bits (CVE-2019-10063), allows other ioctls", () => {
        expect(call("ioctl", [0n, TIOCSTI])).toEqual(EPERM);
        expect(call("ioctl", [0n, (0x123n << 32n) | TIOCSTI])).toEqual(EPERM);
        expect(call("ioctl", [0n, TIOCLINUX])).toEqual(EPERM);
        expect(call("ioctl", [0n, (0xffff_ffffn << 32n) | TIOCLINUX])).toEqual(EPERM);
        expect(call("ioctl", [0n, TCGETS])).toEqual(ALLOW);
        expect(call("ioctl", [0n, (0x123n << 32n) | TCGETS])).toEqual(ALLOW);
      });

      it("allows only the personality query and PER_LINUX", () => {
        expect(call("personality", [0xffff_ffffn])).toEqual(ALLOW);
        expect(call("personality", [0n])).toEqual(ALLOW);
        expect(call("personality", [0x0040000n])).toEqual(EPERM); // ADDR_NO_RANDOMIZE
        expect(call("personality", [0x0400000n])).toEqual(EPERM); // READ_IMPLIES_EXEC
        expect(call("personality", [0x0008n])).toEqual(EPERM); // PER_LINUX32
      });

      const socketCases: { family: number; protocol?: number; label: string }[] = [
        { family: AF.UNIX, label: "AF_UNIX" },
        { family: AF.INET, label: "AF_INET" },
        { family: AF.INET6, label: "AF_INET6" },
        { family: AF.NETLINK, protocol: 0, label: "AF_NETLINK/ROUTE" },
        { family: AF.NETLINK, protocol: 15, label: "AF_NETLINK/KOBJECT_UEVENT" },
        { family: AF.PACKET, label: "AF_PACKET" },
        { family: AF.VSOCK, label: "AF_VSOCK" },
        { family: AF.ALG, label: "AF_ALG" },
        { family: AF.BLUETOOTH, label: "AF_BLUETOOTH" },
        { family: AF.KEY, label: "AF_KEY" },
      ];
      const expected: Record<string, Record<string, boolean>> = {
        // mode/allowUnix → label → allowed
        "none/false": {},
        "none/true": { AF_UNIX: true },
        "proxy/false": { AF_INET: true, AF_INET6: true },
        "proxy/true": { AF_UNIX: true, AF_INET: true, AF_INET6: true },
        "full/false": { AF_INET: true, AF_INET6: true, "AF_NETLINK/ROUTE": true },
        "full/true": { AF_UNIX: true, AF_INET: true, AF_INET6: true, "AF_NETLINK/ROUTE": true },
      };
      for (const network of ["none", "proxy", "full"] as const) {
        for (const allowUnixSockets of [false, true]) {
          it(`socket() families for network=${network}, allowUnixSockets=${allowUnixSockets}`, () => {
            const options = { network, allowUnixSockets, arch };
            for (const c of socketCases) {
              const allowed = expected[`${network}/${allowUnixSockets}`]![c.label] === true;
              const args = [BigInt(c.family), BigInt(SOCK.STREAM), BigInt(c.protocol ?? 0)];
              expect(call("socket", args, options), c.label).toEqual(allowed ? ALLOW : EPERM);
              // High bits are ignored by the kernel (int domain), so they must not change the verdict.
              expect(call("socket", [(1n << 32n) | BigInt(c.family), BigInt(SOCK.STREAM), BigInt(c.protocol ?? 0)], options), `${c.label} high bits`).toEqual(allowed ? ALLOW : EPERM);
            }
          });

          it(`socketpair() for network=${network}, allowUnixSockets=${allowUnixSockets}`, () => {
            const options = { network, allowUnixSockets, arch };
            const pair = (family: number, type: number) => call("socketpair", [BigInt(family), BigInt(type)], options);
            expect(pair(AF.UNIX, SOCK.STREAM)).toEqual(ALLOW);
            expect(pair(AF.UNIX, SOCK.STREAM | SOCK.NONBLOCK | SOCK.CLOEXEC)).toEqual(ALLOW);
            // Datagram endpoints can sendto() host pathname sockets (PROC-12): never, whatever allowUnixSockets.
            expect(pair(AF.UNIX, SOCK.DGRAM)).toEqual(EPERM);
            expect(pair(AF.UNIX, SOCK.RAW)).toEqual(EPERM); // AF_UNIX turns SOCK_RAW into SOCK_DGRAM
            expect(pair(AF.UNIX, SOCK.SEQPACKET | SOCK.CLOEXEC)).toEqual(allowUnixSockets ? ALLOW : EPERM);
            expect(pair(AF.INET, SOCK.STREAM)).toEqual(EPERM);
          });
        }
      }

      it("allows socket(AF_UNIX) only for stream and seqpacket types when allowUnixSockets (never datagram, PROC-12)", () => {
        const options = { network: "proxy" as const, allowUnixSockets: true, arch };
        const unix = (type: bigint) => call("socket", [BigInt(AF.UNIX), type, 0n], options);
        expect(unix(BigInt(SOCK.STREAM))).toEqual(ALLOW);
        expect(unix(BigInt(SOCK.STREAM | SOCK.NONBLOCK | SOCK.CLOEXEC))).toEqual(ALLOW);
        expect(unix(BigInt(SOCK.SEQPACKET | SOCK.CLOEXEC))).toEqual(ALLOW);
        expect(unix((1n << 32n) | BigInt(SOCK.STREAM))).toEqual(ALLOW); // the kernel ignores the high bits (int type)
        for (const type of [SOCK.DGRAM, SOCK.RAW, SOCK.RDM, SOCK.DGRAM | SOCK.CLOEXEC, 0, 6, 10]) expect(unix(BigInt(type)), `type ${type}`).toEqual(EPERM);
        expect(unix((1n << 32n) | BigInt(SOCK.DGRAM))).toEqual(EPERM);
        // The domain is re-read after the AF_UNIX branch: other families keep their own verdicts.
        expect(call("socket", [BigInt(AF.INET), BigInt(SOCK.DGRAM), 0n], options)).toEqual(ALLOW);
        expect(call("socket", [BigInt(AF.PACKET), BigInt(SOCK.STREAM), 0n], options)).toEqual(EPERM);
      });

      it("denies seccomp filters with a listener (they would take precedence over the unix socket supervisor)", () => {
        for (const allowUnixSockets of [false, true]) {
          const options = { network: "none" as const, allowUnixSockets, arch };
          const seccomp = (flags: bigint) => call("seccomp", [SECCOMP_SET_MODE_FILTER, flags, 0n], options);
          expect(seccomp(SECCOMP_FILTER_FLAG.NEW_LISTENER)).toEqual(EPERM);
          expect(seccomp(SECCOMP_FILTER_FLAG.NEW_LISTENER | SECCOMP_FILTER_FLAG.TSYNC)).toEqual(EPERM);
          expect(seccomp((1n << 32n) | SECCOMP_FILTER_FLAG.NEW_LISTENER)).toEqual(EPERM);
          expect(seccomp(0n)).toEqual(ALLOW); // plain filters stay allowed (nested sandboxes)
          expect(seccomp(SECCOMP_FILTER_FLAG.TSYNC | SECCOMP_FILTER_FLAG.LOG)).toEqual(ALLOW);
        }
      });
    });
  }

  it("defaults to the running architecture", () => {
    const running = process.arch === "arm64" ? "aarch64" : "x86_64";
    expect(build({ network: "proxy", allowUnixSockets: false })).toEqual(build({ network: "proxy", allowUnixSockets: false, arch: running }));
  });

  it("is deterministic and differs between modes", () => {
    const a = build({ network: "none", allowUnixSockets: false, arch: "x86_64" });
    expect(build({ network: "none", allowUnixSockets: false, arch: "x86_64" })).toEqual(a);
    expect(build({ network: "full", allowUnixSockets: false, arch: "x86_64" })).not.toEqual(a);
  });

  it("rejects bad options with a TypeError naming the field", () => {
    const native = loadNative();
    expect(() => native.buildSeccompProgram({ network: "some" as "none", allowUnixSockets: false })).toThrow(/network must be "none", "proxy" or "full"/);
    expect(() => native.buildSeccompProgram({ network: "none", allowUnixSockets: "yes" as unknown as boolean })).toThrow(/allowUnixSockets must be a boolean/);
    expect(() => native.buildSeccompProgram({ network: "none", allowUnixSockets: false, arch: "riscv64" as "x86_64" })).toThrow(/arch must be "x86_64" or "aarch64"/);
    expect(() => native.buildSeccompProgram(null as unknown as SeccompOptions)).toThrow(TypeError);
  });
});
