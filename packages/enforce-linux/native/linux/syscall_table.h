// Syscall numbers and audit arch tokens for the architectures the seccomp filter supports (x86_64, aarch64).
// Numbers come from arch/x86/entry/syscalls/syscall_64.tbl and include/uapi/asm-generic/unistd.h (aarch64);
// syscall_table.cc checks them against the build host's headers at compile time.
// See: man 2 syscall, man 2 seccomp (struct seccomp_data.arch).
#pragma once

#include <cstdint>

namespace cordon {

enum class Arch { kX86_64, kAarch64 };

/** AUDIT_ARCH_* value the kernel puts in seccomp_data.arch for `arch`. */
uint32_t AuditArch(Arch arch);

/** The architecture this binary was compiled for. */
Arch NativeArch();

/** Syscalls the filters refer to: X(name, x86_64 number, aarch64 number); -1 = absent on that arch. */
#define CORDON_SYSCALLS(X)              \
  X(io_uring_setup, 425, 425)           \
  X(io_uring_enter, 426, 426)           \
  X(io_uring_register, 427, 427)        \
  X(ptrace, 101, 117)                   \
  X(process_vm_readv, 310, 270)         \
  X(process_vm_writev, 311, 271)        \
  X(pidfd_getfd, 438, 438)              \
  X(keyctl, 250, 219)                   \
  X(add_key, 248, 217)                  \
  X(request_key, 249, 218)              \
  X(bpf, 321, 280)                      \
  X(perf_event_open, 298, 241)          \
  X(userfaultfd, 323, 282)              \
  X(unshare, 272, 97)                   \
  X(setns, 308, 268)                    \
  X(clone, 56, 220)                     \
  X(clone3, 435, 435)                   \
  X(mount, 165, 40)                     \
  X(umount2, 166, 39)                   \
  X(pivot_root, 155, 41)                \
  X(chroot, 161, 51)                    \
  X(open_tree, 428, 428)                \
  X(move_mount, 429, 429)               \
  X(fsopen, 430, 430)                   \
  X(fsconfig, 431, 431)                 \
  X(fsmount, 432, 432)                  \
  X(fspick, 433, 433)                   \
  X(mount_setattr, 442, 442)            \
  X(open_tree_attr, 467, 467)           \
  X(ioctl, 16, 29)                      \
  X(personality, 135, 92)               \
  X(kexec_load, 246, 104)               \
  X(kexec_file_load, 320, 294)          \
  X(init_module, 175, 105)              \
  X(finit_module, 313, 273)             \
  X(delete_module, 176, 106)            \
  X(acct, 163, 89)                      \
  X(swapon, 167, 224)                   \
  X(swapoff, 168, 225)                  \
  X(reboot, 169, 142)                   \
  X(quotactl, 179, 60)                  \
  X(quotactl_fd, 443, 443)              \
  X(lookup_dcookie, 212, 18)            \
  X(name_to_handle_at, 303, 264)        \
  X(open_by_handle_at, 304, 265)        \
  X(vhangup, 153, 58)                   \
  X(socket, 41, 198)                    \
  X(socketpair, 53, 199)                \
  X(read, 0, 63)                        \
  X(write, 1, 64)                       \
  X(close, 3, 57)                       \
  X(poll, 7, -1)                        \
  X(ppoll, 271, 73)                     \
  X(accept, 43, 202)                    \
  X(accept4, 288, 242)                  \
  X(connect, 42, 203)                   \
  X(shutdown, 48, 210)                  \
  X(sendto, 44, 206)                    \
  X(recvfrom, 45, 207)                  \
  X(fcntl, 72, 25)                      \
  X(exit, 60, 93)                       \
  X(exit_group, 231, 94)                \
  X(rt_sigreturn, 15, 139)              \
  X(restart_syscall, 219, 128)         \
  X(openat, 257, 56)                    \
  X(getdents64, 217, 61)                \
  X(readlinkat, 267, 78)                \
  X(getsockopt, 55, 209)                \
  X(pidfd_open, 434, 434)               \
  X(wait4, 61, 260)                     \
  X(kill, 62, 129)                      \
  X(getpid, 39, 172)                    \
  X(rt_sigprocmask, 14, 135)           \
  X(seccomp, 317, 277)

enum class Sys {
#define CORDON_SYS_ENUM(name, x86, arm) name,
  CORDON_SYSCALLS(CORDON_SYS_ENUM)
#undef CORDON_SYS_ENUM
};

/** The syscall number of `sys` on `arch`, or -1 when that arch does not have it. */
int SyscallNumber(Sys sys, Arch arch);

}  // namespace cordon
