// The seccomp-bpf program cordon installs before exec'ing the command (rules are listed in seccomp_program.h).
// Every argument comparison uses the low 32 bits only: the kernel truncates these arguments to int/unsigned
// int, so a filter comparing all 64 bits could be bypassed by setting the high bits (CVE-2019-10063).
#include "seccomp_program.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>

#include "bpf_writer.h"

namespace cordon {
namespace {

// struct seccomp_data layout (little-endian on both supported arches).
constexpr uint32_t kOffsetNr = 0;
constexpr uint32_t kOffsetArch = 4;
constexpr uint32_t ArgLow(int index) { return 16 + 8 * static_cast<uint32_t>(index); }

// x86_64: syscalls with this bit set use the x32 ABI.
constexpr uint32_t kX32SyscallBit = 0x40000000u;

// Namespace-creating clone flags (CLONE_NEWTIME is excluded: in clone() its bit is part of CSIGNAL).
constexpr uint32_t kCloneNewNs = 0x00020000u;
constexpr uint32_t kCloneNewCgroup = 0x02000000u;
constexpr uint32_t kCloneNewUts = 0x04000000u;
constexpr uint32_t kCloneNewIpc = 0x08000000u;
constexpr uint32_t kCloneNewUser = 0x10000000u;
constexpr uint32_t kCloneNewPid = 0x20000000u;
constexpr uint32_t kCloneNewNet = 0x40000000u;
constexpr uint32_t kCloneNamespaceFlags =
    kCloneNewNs | kCloneNewCgroup | kCloneNewUts | kCloneNewIpc | kCloneNewUser | kCloneNewPid | kCloneNewNet;

// Same values on x86_64 and aarch64 (asm-generic/ioctls.h, asm-generic/fcntl.h, personality.h).
constexpr uint32_t kTiocsti = 0x5412u;
constexpr uint32_t kTioclinux = 0x541Cu;
constexpr uint32_t kPerLinux = 0x0000u;
constexpr uint32_t kPersonalityQuery = 0xffffffffu;
constexpr uint32_t kSockTypeFlags = 0x800u /* SOCK_NONBLOCK */ | 0x80000u /* SOCK_CLOEXEC */;
constexpr uint32_t kNetlinkRoute = 0;

/** Denied with EPERM whatever their arguments. */
constexpr Sys kDeniedOutright[] = {
    // io_uring performs socket/connect/open without passing through this filter (PROC-11).
    Sys::io_uring_setup, Sys::io_uring_enter, Sys::io_uring_register,
    // Reading or steering other processes (PROC-01/02).
    Sys::ptrace, Sys::process_vm_readv, Sys::process_vm_writev, Sys::pidfd_getfd,
    // Kernel keyrings (PROC-10).
    Sys::keyctl, Sys::add_key, Sys::request_key,
    // Kernel attack surface (PROC-13..15).
    Sys::bpf, Sys::perf_event_open, Sys::userfaultfd,
    // Namespaces and mounts (PROC-16, FS-30, FS-31).
    Sys::unshare, Sys::setns, Sys::mount, Sys::umount2, Sys::pivot_root, Sys::chroot, Sys::open_tree,
    Sys::open_tree_attr, Sys::move_mount, Sys::fsopen, Sys::fsconfig, Sys::fsmount, Sys::fspick,
    Sys::mount_setattr,
    // Whole-system administration.
    Sys::kexec_load, Sys::kexec_file_load, Sys::init_module, Sys::finit_module, Sys::delete_module,
    Sys::acct, Sys::swapon, Sys::swapoff, Sys::reboot, Sys::quotactl, Sys::quotactl_fd,
    Sys::lookup_dcookie, Sys::name_to_handle_at, Sys::open_by_handle_at, Sys::vhangup,
};

struct Labels {
  BpfWriter::Label allow, eperm, enosys, kill;
};

void EmitArchCheck(BpfWriter& w, const SeccompOptions& options, const Labels& l) {
  // Any other arch — i386 via int 0x80 on x86_64, AArch32 compat on arm64 — kills the process (PROC-18).
  w.LoadWord(kOffsetArch);
  w.Jump(BPF_JMP | BPF_JEQ | BPF_K, AuditArch(options.arch), BpfWriter::kNext, l.kill);
  w.LoadWord(kOffsetNr);
  if (options.arch == Arch::kX86_64) w.Jump(BPF_JMP | BPF_JGE | BPF_K, kX32SyscallBit, l.kill, BpfWriter::kNext);
}

/** Emits "if nr == sys then <body> else skip"; `body` must end in a jump or return. Absent syscalls emit nothing. */
template <typename Body>
void EmitGuarded(BpfWriter& w, const SeccompOptions& options, Sys sys, Body body) {
  const int nr = SyscallNumber(sys, options.arch);
  if (nr < 0) return;
  const BpfWriter::Label skip = w.NewLabel();
  w.Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), BpfWriter::kNext, skip);
  body();
  w.Bind(skip);
}

/**
 * Jumps to allow when the type argument at `arg` (SOCK_NONBLOCK/SOCK_CLOEXEC masked off) is SOCK_STREAM,
 * or SOCK_SEQPACKET when `seqpacket`; else to eperm. Datagram endpoints (SOCK_DGRAM, and SOCK_RAW, which
 * AF_UNIX turns into SOCK_DGRAM) can sendto() any pathname socket without connect() (PROC-12).
 */
void EmitUnixTypeCheck(BpfWriter& w, int arg, bool seqpacket, const Labels& l) {
  w.LoadWord(ArgLow(arg));
  w.Stmt(BPF_ALU | BPF_AND | BPF_K, ~kSockTypeFlags);
  if (seqpacket) w.Jump(BPF_JMP | BPF_JEQ | BPF_K, SOCK_SEQPACKET, l.allow, BpfWriter::kNext);
  w.Jump(BPF_JMP | BPF_JEQ | BPF_K, SOCK_STREAM, l.allow, l.eperm);
}

void EmitSocketRules(BpfWriter& w, const SeccompOptions& options, const Labels& l) {
  EmitGuarded(w, options, Sys::socket, [&] {
    w.LoadWord(ArgLow(0));  // domain
    if (options.allow_unix_sockets) {
      const BpfWriter::Label not_unix = w.NewLabel();
      w.Jump(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, BpfWriter::kNext, not_unix);
      EmitUnixTypeCheck(w, 1, true, l);
      w.Bind(not_unix);
      w.LoadWord(ArgLow(0));
    }
    if (options.network != NetworkMode::kNone) {
      w.Jump(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, l.allow, BpfWriter::kNext);
      w.Jump(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, l.allow, BpfWriter::kNext);
    }
    if (options.network == NetworkMode::kFull) {
      // Route/address queries (getaddrinfo AI_ADDRCONFIG, `ip addr`); changes need CAP_NET_ADMIN, which is dropped.
      w.Jump(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, BpfWriter::kNext, l.eperm);
      w.LoadWord(ArgLow(2));  // protocol
      w.Jump(BPF_JMP | BPF_JEQ | BPF_K, kNetlinkRoute, l.allow, l.eperm);
    } else {
      w.Return(SECCOMP_RET_ERRNO | EPERM);
    }
  });
  EmitGuarded(w, options, Sys::socketpair, [&] {
    w.LoadWord(ArgLow(0));  // domain
    w.Jump(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, BpfWriter::kNext, l.eperm);
    EmitUnixTypeCheck(w, 1, options.allow_unix_sockets, l);
  });
  // A filter of the command's own with a listener would take precedence over the unix socket supervisor's
  // for connect() and could answer "continue" (seccomp_unotify(2)): no new listeners in the sandbox.
  EmitGuarded(w, options, Sys::seccomp, [&] {
    w.LoadWord(ArgLow(1));  // flags
    w.Jump(BPF_JMP | BPF_JSET | BPF_K, SECCOMP_FILTER_FLAG_NEW_LISTENER, l.eperm, l.allow);
  });
}

void EmitArgumentRules(BpfWriter& w, const SeccompOptions& options, const Labels& l) {
  // clone3 passes its flags in memory seccomp cannot read: ENOSYS makes libc fall back to clone (PROC-17).
  const int clone3 = SyscallNumber(Sys::clone3, options.arch);
  if (clone3 >= 0) w.Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(clone3), l.enosys, BpfWriter::kNext);
  EmitGuarded(w, options, Sys::clone, [&] {
    w.LoadWord(ArgLow(0));  // flags (arg 0 on x86_64 and aarch64)
    w.Jump(BPF_JMP | BPF_JSET | BPF_K, kCloneNamespaceFlags, l.eperm, l.allow);
  });
  EmitGuarded(w, options, Sys::ioctl, [&] {
    w.LoadWord(ArgLow(1));  // request (PROC-06/07/19)
    w.Jump(BPF_JMP | BPF_JEQ | BPF_K, kTiocsti, l.eperm, BpfWriter::kNext);
    w.Jump(BPF_JMP | BPF_JEQ | BPF_K, kTioclinux, l.eperm, l.allow);
  });
  EmitGuarded(w, options, Sys::personality, [&] {
    w.LoadWord(ArgLow(0));  // persona: only the query and plain PER_LINUX (no READ_IMPLIES_EXEC, no ASLR off)
    w.Jump(BPF_JMP | BPF_JEQ | BPF_K, kPerLinux, l.allow, BpfWriter::kNext);
    w.Jump(BPF_JMP | BPF_JEQ | BPF_K, kPersonalityQuery, l.allow, l.eperm);
  });
  EmitSocketRules(w, options, l);
}

/** What the bridge's event loop (bridge.cc) calls, and nothing else. */
constexpr Sys kBridgeAllowed[] = {
    Sys::read,    Sys::write,  Sys::close,    Sys::poll,     Sys::ppoll, Sys::accept,     Sys::accept4,      Sys::connect,
    Sys::shutdown, Sys::sendto, Sys::recvfrom, Sys::fcntl, Sys::exit,  Sys::exit_group, Sys::rt_sigreturn, Sys::restart_syscall,
};

/** What the unix socket supervisor's loop (unix_supervisor.cc, connect_mediator.cc) calls, whatever the arguments. */
constexpr Sys kSupervisorAllowed[] = {
    Sys::read,       Sys::write,      Sys::close,          Sys::poll,       Sys::ppoll,   Sys::process_vm_readv,
    Sys::pidfd_open, Sys::pidfd_getfd, Sys::getdents64,     Sys::readlinkat, Sys::connect, Sys::getsockopt,
    Sys::wait4,      Sys::getpid,     Sys::rt_sigprocmask, Sys::exit,       Sys::exit_group, Sys::rt_sigreturn,
    Sys::restart_syscall,
};

/** The ioctl requests the supervisor makes on its listener (ID_VALID also under its pre-5.7 number). */
constexpr uint32_t kSupervisorIoctls[] = {
    static_cast<uint32_t>(SECCOMP_IOCTL_NOTIF_RECV), static_cast<uint32_t>(SECCOMP_IOCTL_NOTIF_SEND),
    static_cast<uint32_t>(SECCOMP_IOCTL_NOTIF_ID_VALID), static_cast<uint32_t>(SECCOMP_IOR(2, __u64)),
};

/** openat() flag sets the supervisor uses: O_PATH lookups and reading a /proc directory; no file is ever opened for I/O. */
constexpr uint32_t kSupervisorOpenFlags[] = {
    O_PATH | O_CLOEXEC,
    O_PATH | O_DIRECTORY | O_CLOEXEC,
    O_RDONLY | O_DIRECTORY | O_CLOEXEC,
};

/** Emits "if A is one of `values` then allow else eperm" (A already loaded). */
template <size_t N>
void EmitOneOf(BpfWriter& w, const uint32_t (&values)[N], const Labels& l) {
  for (size_t i = 0; i < N; ++i) w.Jump(BPF_JMP | BPF_JEQ | BPF_K, values[i], l.allow, i + 1 < N ? BpfWriter::kNext : l.eperm);
}

void EmitReturns(BpfWriter& w, const Labels& l) {
  w.Bind(l.allow);
  w.Return(SECCOMP_RET_ALLOW);
  w.Bind(l.eperm);
  w.Return(SECCOMP_RET_ERRNO | EPERM);
  w.Bind(l.enosys);
  w.Return(SECCOMP_RET_ERRNO | ENOSYS);
  w.Bind(l.kill);
  w.Return(SECCOMP_RET_KILL_PROCESS);
}

}  // namespace

int BuildConnectNotifyProgram(Arch arch, std::vector<sock_filter>* out) {
  BpfWriter w;
  const Labels l{w.NewLabel(), w.NewLabel(), w.NewLabel(), w.NewLabel()};
  w.LoadWord(kOffsetArch);
  w.Jump(BPF_JMP | BPF_JEQ | BPF_K, AuditArch(arch), BpfWriter::kNext, l.kill);
  w.LoadWord(kOffsetNr);
  // nr -1 is a tracer skipping the call (strace's fault injection): nothing runs, so nothing to mediate.
  w.Jump(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, l.allow, BpfWriter::kNext);
  if (arch == Arch::kX86_64) w.Jump(BPF_JMP | BPF_JGE | BPF_K, kX32SyscallBit, l.kill, BpfWriter::kNext);
  const int connect = SyscallNumber(Sys::connect, arch);
  w.Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(connect), BpfWriter::kNext, l.allow);
  w.Return(SECCOMP_RET_USER_NOTIF);
  EmitReturns(w, l);
  return w.Finish(out);
}

int BuildSupervisorSeccompProgram(Arch arch, int32_t command_pid, int32_t self_pid, std::vector<sock_filter>* out) {
  BpfWriter w;
  const Labels l{w.NewLabel(), w.NewLabel(), w.NewLabel(), w.NewLabel()};
  const SeccompOptions options{NetworkMode::kNone, false, arch};
  EmitArchCheck(w, options, l);
  for (Sys sys : kSupervisorAllowed) {
    const int nr = SyscallNumber(sys, arch);
    if (nr >= 0) w.Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), l.allow, BpfWriter::kNext);
  }
  EmitGuarded(w, options, Sys::ioctl, [&] {
    w.LoadWord(ArgLow(1));  // request
    EmitOneOf(w, kSupervisorIoctls, l);
  });
  EmitGuarded(w, options, Sys::openat, [&] {
    w.LoadWord(ArgLow(2));  // flags
    EmitOneOf(w, kSupervisorOpenFlags, l);
  });
  EmitGuarded(w, options, Sys::fcntl, [&] {
    w.LoadWord(ArgLow(1));  // cmd: read and restore a socket's O_NONBLOCK
    const uint32_t commands[] = {F_GETFL, F_SETFL};
    EmitOneOf(w, commands, l);
  });
  EmitGuarded(w, options, Sys::kill, [&] {
    w.LoadWord(ArgLow(0));  // pid: forwarding to the command and re-raising its death signal on itself only
    const uint32_t pids[] = {static_cast<uint32_t>(command_pid), static_cast<uint32_t>(self_pid)};
    EmitOneOf(w, pids, l);
  });
  w.Return(SECCOMP_RET_ERRNO | EPERM);
  EmitReturns(w, l);
  return w.Finish(out);
}

int BuildBridgeSeccompProgram(Arch arch, std::vector<sock_filter>* out) {
  BpfWriter w;
  const Labels l{w.NewLabel(), w.NewLabel(), w.NewLabel(), w.NewLabel()};
  const SeccompOptions options{NetworkMode::kNone, true, arch};
  EmitArchCheck(w, options, l);
  for (Sys sys : kBridgeAllowed) {
    const int nr = SyscallNumber(sys, arch);
    if (nr >= 0) w.Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), l.allow, BpfWriter::kNext);
  }
  EmitGuarded(w, options, Sys::socket, [&] {
    w.LoadWord(ArgLow(0));
    w.Jump(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, l.allow, l.eperm);
  });
  w.Return(SECCOMP_RET_ERRNO | EPERM);
  w.Bind(l.allow);
  w.Return(SECCOMP_RET_ALLOW);
  w.Bind(l.eperm);
  w.Return(SECCOMP_RET_ERRNO | EPERM);
  w.Bind(l.enosys);
  w.Return(SECCOMP_RET_ERRNO | ENOSYS);
  w.Bind(l.kill);
  w.Return(SECCOMP_RET_KILL_PROCESS);
  return w.Finish(out);
}

int BuildSeccompProgram(const SeccompOptions& options, std::vector<sock_filter>* out) {
  BpfWriter w;
  const Labels l{w.NewLabel(), w.NewLabel(), w.NewLabel(), w.NewLabel()};
  EmitArchCheck(w, options, l);
  for (Sys sys : kDeniedOutright) {
    const int nr = SyscallNumber(sys, options.arch);
    if (nr >= 0) w.Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), l.eperm, BpfWriter::kNext);
  }
  EmitArgumentRules(w, options, l);
  w.Bind(l.allow);
  w.Return(SECCOMP_RET_ALLOW);
  w.Bind(l.eperm);
  w.Return(SECCOMP_RET_ERRNO | EPERM);
  w.Bind(l.enosys);
  w.Return(SECCOMP_RET_ERRNO | ENOSYS);
  w.Bind(l.kill);
  w.Return(SECCOMP_RET_KILL_PROCESS);
  return w.Finish(out);
}

}  // namespace cordon
