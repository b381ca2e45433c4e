// Per-arch syscall number lookup, with compile-time checks against the build host's <asm/unistd.h>.
#include "syscall_table.h"

#include <linux/audit.h>

#ifdef CORDON_CHECK_GENERIC_UNISTD
// Test-only mode (test/native/syscall-table.test.ts): check the aarch64 column against the generic
// table (include/uapi/asm-generic/unistd.h), which arm64 uses, on any build host.
#include <asm-generic/unistd.h>
#define CORDON_CHECKED_ARCH Arch::kAarch64
#else
#include <asm/unistd.h>
#if defined(__x86_64__)
#define CORDON_CHECKED_ARCH Arch::kX86_64
#elif defined(__aarch64__)
#define CORDON_CHECKED_ARCH Arch::kAarch64
#else
#error "cordon's seccomp filter supports x86_64 and aarch64 only"
#endif
#endif

namespace cordon {
namespace {

constexpr int kX86_64Numbers[] = {
#define CORDON_X86_COLUMN(name, x86, arm) x86,
    CORDON_SYSCALLS(CORDON_X86_COLUMN)
#undef CORDON_X86_COLUMN
};

constexpr int kAarch64Numbers[] = {
#define CORDON_ARM_COLUMN(name, x86, arm) arm,
    CORDON_SYSCALLS(CORDON_ARM_COLUMN)
#undef CORDON_ARM_COLUMN
};

constexpr int Column(Sys sys, Arch arch) {
  return arch == Arch::kX86_64 ? kX86_64Numbers[static_cast<int>(sys)] : kAarch64Numbers[static_cast<int>(sys)];
}

// One check per syscall the host headers know; a syscall newer than the headers is not checked.
#ifdef __NR_io_uring_setup
static_assert(Column(Sys::io_uring_setup, CORDON_CHECKED_ARCH) == __NR_io_uring_setup, "syscall number mismatch: io_uring_setup");
#endif
#ifdef __NR_io_uring_enter
static_assert(Column(Sys::io_uring_enter, CORDON_CHECKED_ARCH) == __NR_io_uring_enter, "syscall number mismatch: io_uring_enter");
#endif
#ifdef __NR_io_uring_register
static_assert(Column(Sys::io_uring_register, CORDON_CHECKED_ARCH) == __NR_io_uring_register, "syscall number mismatch: io_uring_register");
#endif
#ifdef __NR_ptrace
static_assert(Column(Sys::ptrace, CORDON_CHECKED_ARCH) == __NR_ptrace, "syscall number mismatch: ptrace");
#endif
#ifdef __NR_process_vm_readv
static_assert(Column(Sys::process_vm_readv, CORDON_CHECKED_ARCH) == __NR_process_vm_readv, "syscall number mismatch: process_vm_readv");
#endif
#ifdef __NR_process_vm_writev
static_assert(Column(Sys::process_vm_writev, CORDON_CHECKED_ARCH) == __NR_process_vm_writev, "syscall number mismatch: process_vm_writev");
#endif
#ifdef __NR_pidfd_getfd
static_assert(Column(Sys::pidfd_getfd, CORDON_CHECKED_ARCH) == __NR_pidfd_getfd, "syscall number mismatch: pidfd_getfd");
#endif
#ifdef __NR_keyctl
static_assert(Column(Sys::keyctl, CORDON_CHECKED_ARCH) == __NR_keyctl, "syscall number mismatch: keyctl");
#endif
#ifdef __NR_add_key
static_assert(Column(Sys::add_key, CORDON_CHECKED_ARCH) == __NR_add_key, "syscall number mismatch: add_key");
#endif
#ifdef __NR_request_key
static_assert(Column(Sys::request_key, CORDON_CHECKED_ARCH) == __NR_request_key, "syscall number mismatch: request_key");
#endif
#ifdef __NR_bpf
static_assert(Column(Sys::bpf, CORDON_CHECKED_ARCH) == __NR_bpf, "syscall number mismatch: bpf");
#endif
#ifdef __NR_perf_event_open
static_assert(Column(Sys::perf_event_open, CORDON_CHECKED_ARCH) == __NR_perf_event_open, "syscall number mismatch: perf_event_open");
#endif
#ifdef __NR_userfaultfd
static_assert(Column(Sys::userfaultfd, CORDON_CHECKED_ARCH) == __NR_userfaultfd, "syscall number mismatch: userfaultfd");
#endif
#ifdef __NR_unshare
static_assert(Column(Sys::unshare, CORDON_CHECKED_ARCH) == __NR_unshare, "syscall number mismatch: unshare");
#endif
#ifdef __NR_setns
static_assert(Column(Sys::setns, CORDON_CHECKED_ARCH) == __NR_setns, "syscall number mismatch: setns");
#endif
#ifdef __NR_clone
static_assert(Column(Sys::clone, CORDON_CHECKED_ARCH) == __NR_clone, "syscall number mismatch: clone");
#endif
#ifdef __NR_clone3
static_assert(Column(Sys::clone3, CORDON_CHECKED_ARCH) == __NR_clone3, "syscall number mismatch: clone3");
#endif
#ifdef __NR_mount
static_assert(Column(Sys::mount, CORDON_CHECKED_ARCH) == __NR_mount, "syscall number mismatch: mount");
#endif
#ifdef __NR_umount2
static_assert(Column(Sys::umount2, CORDON_CHECKED_ARCH) == __NR_umount2, "syscall number mismatch: umount2");
#endif
#ifdef __NR_pivot_root
static_assert(Column(Sys::pivot_root, CORDON_CHECKED_ARCH) == __NR_pivot_root, "syscall number mismatch: pivot_root");
#endif
#ifdef __NR_chroot
static_assert(Column(Sys::chroot, CORDON_CHECKED_ARCH) == __NR_chroot, "syscall number mismatch: chroot");
#endif
#ifdef __NR_open_tree
static_assert(Column(Sys::open_tree, CORDON_CHECKED_ARCH) == __NR_open_tree, "syscall number mismatch: open_tree");
#endif
#ifdef __NR_move_mount
static_assert(Column(Sys::move_mount, CORDON_CHECKED_ARCH) == __NR_move_mount, "syscall number mismatch: move_mount");
#endif
#ifdef __NR_fsopen
static_assert(Column(Sys::fsopen, CORDON_CHECKED_ARCH) == __NR_fsopen, "syscall number mismatch: fsopen");
#endif
#ifdef __NR_fsconfig
static_assert(Column(Sys::fsconfig, CORDON_CHECKED_ARCH) == __NR_fsconfig, "syscall number mismatch: fsconfig");
#endif
#ifdef __NR_fsmount
static_assert(Column(Sys::fsmount, CORDON_CHECKED_ARCH) == __NR_fsmount, "syscall number mismatch: fsmount");
#endif
#ifdef __NR_fspick
static_assert(Column(Sys::fspick, CORDON_CHECKED_ARCH) == __NR_fspick, "syscall number mismatch: fspick");
#endif
#ifdef __NR_mount_setattr
static_assert(Column(Sys::mount_setattr, CORDON_CHECKED_ARCH) == __NR_mount_setattr, "syscall number mismatch: mount_setattr");
#endif
#ifdef __NR_open_tree_attr
static_assert(Column(Sys::open_tree_attr, CORDON_CHECKED_ARCH) == __NR_open_tree_attr, "syscall number mismatch: open_tree_attr");
#endif
#ifdef __NR_ioctl
static_assert(Column(Sys::ioctl, CORDON_CHECKED_ARCH) == __NR_ioctl, "syscall number mismatch: ioctl");
#endif
#ifdef __NR_personality
static_assert(Column(Sys::personality, CORDON_CHECKED_ARCH) == __NR_personality, "syscall number mismatch: personality");
#endif
#ifdef __NR_kexec_load
static_assert(Column(Sys::kexec_load, CORDON_CHECKED_ARCH) == __NR_kexec_load, "syscall number mismatch: kexec_load");
#endif
#ifdef __NR_kexec_file_load
static_assert(Column(Sys::kexec_file_load, CORDON_CHECKED_ARCH) == __NR_kexec_file_load, "syscall number mismatch: kexec_file_load");
#endif
#ifdef __NR_init_module
static_assert(Column(Sys::init_module, CORDON_CHECKED_ARCH) == __NR_init_module, "syscall number mismatch: init_module");
#endif
#ifdef __NR_finit_module
static_assert(Column(Sys::finit_module, CORDON_CHECKED_ARCH) == __NR_finit_module, "syscall number mismatch: finit_module");
#endif
#ifdef __NR_delete_module
static_assert(Column(Sys::delete_module, CORDON_CHECKED_ARCH) == __NR_delete_module, "syscall number mismatch: delete_module");
#endif
#ifdef __NR_acct
static_assert(Column(Sys::acct, CORDON_CHECKED_ARCH) == __NR_acct, "syscall number mismatch: acct");
#endif
#ifdef __NR_swapon
static_assert(Column(Sys::swapon, CORDON_CHECKED_ARCH) == __NR_swapon, "syscall number mismatch: swapon");
#endif
#ifdef __NR_swapoff
static_assert(Column(Sys::swapoff, CORDON_CHECKED_ARCH) == __NR_swapoff, "syscall number mismatch: swapoff");
#endif
#ifdef __NR_reboot
static_assert(Column(Sys::reboot, CORDON_CHECKED_ARCH) == __NR_reboot, "syscall number mismatch: reboot");
#endif
#ifdef __NR_quotactl
static_assert(Column(Sys::quotactl, CORDON_CHECKED_ARCH) == __NR_quotactl, "syscall number mismatch: quotactl");
#endif
#ifdef __NR_quotactl_fd
static_assert(Column(Sys::quotactl_fd, CORDON_CHECKED_ARCH) == __NR_quotactl_fd, "syscall number mismatch: quotactl_fd");
#endif
#ifdef __NR_lookup_dcookie
static_assert(Column(Sys::lookup_dcookie, CORDON_CHECKED_ARCH) == __NR_lookup_dcookie, "syscall number mismatch: lookup_dcookie");
#endif
#ifdef __NR_name_to_handle_at
static_assert(Column(Sys::name_to_handle_at, CORDON_CHECKED_ARCH) == __NR_name_to_handle_at, "syscall number mismatch: name_to_handle_at");
#endif
#ifdef __NR_open_by_handle_at
static_assert(Column(Sys::open_by_handle_at, CORDON_CHECKED_ARCH) == __NR_open_by_handle_at, "syscall number mismatch: open_by_handle_at");
#endif
#ifdef __NR_vhangup
static_assert(Column(Sys::vhangup, CORDON_CHECKED_ARCH) == __NR_vhangup, "syscall number mismatch: vhangup");
#endif
#ifdef __NR_socket
static_assert(Column(Sys::socket, CORDON_CHECKED_ARCH) == __NR_socket, "syscall number mismatch: socket");
#endif
#ifdef __NR_socketpair
static_assert(Column(Sys::socketpair, CORDON_CHECKED_ARCH) == __NR_socketpair, "syscall number mismatch: socketpair");
#endif
#ifdef __NR_read
static_assert(Column(Sys::read, CORDON_CHECKED_ARCH) == __NR_read, "syscall number mismatch: read");
#endif
#ifdef __NR_write
static_assert(Column(Sys::write, CORDON_CHECKED_ARCH) == __NR_write, "syscall number mismatch: write");
#endif
#ifdef __NR_close
static_assert(Column(Sys::close, CORDON_CHECKED_ARCH) == __NR_close, "syscall number mismatch: close");
#endif
#ifdef __NR_poll
static_assert(Column(Sys::poll, CORDON_CHECKED_ARCH) == __NR_poll, "syscall number mismatch: poll");
#endif
#ifdef __NR_ppoll
static_assert(Column(Sys::ppoll, CORDON_CHECKED_ARCH) == __NR_ppoll, "syscall number mismatch: ppoll");
#endif
#ifdef __NR_accept
static_assert(Column(Sys::accept, CORDON_CHECKED_ARCH) == __NR_accept, "syscall number mismatch: accept");
#endif
#ifdef __NR_accept4
static_assert(Column(Sys::accept4, CORDON_CHECKED_ARCH) == __NR_accept4, "syscall number mismatch: accept4");
#endif
#ifdef __NR_connect
static_assert(Column(Sys::connect, CORDON_CHECKED_ARCH) == __NR_connect, "syscall number mismatch: connect");
#endif
#ifdef __NR_shutdown
static_assert(Column(Sys::shutdown, CORDON_CHECKED_ARCH) == __NR_shutdown, "syscall number mismatch: shutdown");
#endif
#ifdef __NR_sendto
static_assert(Column(Sys::sendto, CORDON_CHECKED_ARCH) == __NR_sendto, "syscall number mismatch: sendto");
#endif
#ifdef __NR_recvfrom
static_assert(Column(Sys::recvfrom, CORDON_CHECKED_ARCH) == __NR_recvfrom, "syscall number mismatch: recvfrom");
#endif
#ifdef __NR_fcntl
static_assert(Column(Sys::fcntl, CORDON_CHECKED_ARCH) == __NR_fcntl, "syscall number mismatch: fcntl");
#endif
#ifdef __NR_exit
static_assert(Column(Sys::exit, CORDON_CHECKED_ARCH) == __NR_exit, "syscall number mismatch: exit");
#endif
#ifdef __NR_exit_group
static_assert(Column(Sys::exit_group, CORDON_CHECKED_ARCH) == __NR_exit_group, "syscall number mismatch: exit_group");
#endif
#ifdef __NR_rt_sigreturn
static_assert(Column(Sys::rt_sigreturn, CORDON_CHECKED_ARCH) == __NR_rt_sigreturn, "syscall number mismatch: rt_sigreturn");
#endif
#ifdef __NR_restart_syscall
static_assert(Column(Sys::restart_syscall, CORDON_CHECKED_ARCH) == __NR_restart_syscall, "syscall number mismatch: restart_syscall");
#endif
#ifdef __NR_openat
static_assert(Column(Sys::openat, CORDON_CHECKED_ARCH) == __NR_openat, "syscall number mismatch: openat");
#endif
#ifdef __NR_getdents64
static_assert(Column(Sys::getdents64, CORDON_CHECKED_ARCH) == __NR_getdents64, "syscall number mismatch: getdents64");
#endif
#ifdef __NR_readlinkat
static_assert(Column(Sys::readlinkat, CORDON_CHECKED_ARCH) == __NR_readlinkat, "syscall number mismatch: readlinkat");
#endif
#ifdef __NR_getsockopt
static_assert(Column(Sys::getsockopt, CORDON_CHECKED_ARCH) == __NR_getsockopt, "syscall number mismatch: getsockopt");
#endif
#ifdef __NR_pidfd_open
static_assert(Column(Sys::pidfd_open, CORDON_CHECKED_ARCH) == __NR_pidfd_open, "syscall number mismatch: pidfd_open");
#endif
#ifdef __NR_wait4
static_assert(Column(Sys::wait4, CORDON_CHECKED_ARCH) == __NR_wait4, "syscall number mismatch: wait4");
#endif
#ifdef __NR_kill
static_assert(Column(Sys::kill, CORDON_CHECKED_ARCH) == __NR_kill, "syscall number mismatch: kill");
#endif
#ifdef __NR_getpid
static_assert(Column(Sys::getpid, CORDON_CHECKED_ARCH) == __NR_getpid, "syscall number mismatch: getpid");
#endif
#ifdef __NR_rt_sigprocmask
static_assert(Column(Sys::rt_sigprocmask, CORDON_CHECKED_ARCH) == __NR_rt_sigprocmask, "syscall number mismatch: rt_sigprocmask");
#endif
#ifdef __NR_seccomp
static_assert(Column(Sys::seccomp, CORDON_CHECKED_ARCH) == __NR_seccomp, "syscall number mismatch: seccomp");
#endif

}  // namespace

uint32_t AuditArch(Arch arch) {
  return arch == Arch::kX86_64 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64;
}

Arch NativeArch() {
#if defined(__aarch64__)
  return Arch::kAarch64;
#else
  return Arch::kX86_64;
#endif
}

int SyscallNumber(Sys sys, Arch arch) {
  return Column(sys, arch);
}

}  // namespace cordon
