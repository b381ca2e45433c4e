// The audit-stream marker: a vfork-style child with a one-rule logging seccomp filter.
#include "audit_marker.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstddef>

namespace cordon {
namespace {

struct MarkerProgram {
  sock_filter filter[5];
  sock_fprog program;
  unsigned int flags;
};

/**
 * Runs in the child, which shares the caller's memory until it exits (CLONE_VM | CLONE_VFORK): raw
 * syscalls only, no allocation. The filter applies to this child alone (no TSYNC).
 */
int MarkerChild(void* arg) {
  const auto* marker = static_cast<const MarkerProgram*>(arg);
  if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) syscall(SYS_exit, 2);
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, marker->flags, &marker->program) != 0) syscall(SYS_exit, 3);
  syscall(SYS_getppid);  // denied (or logged): the marker record
  syscall(SYS_exit, 0);
  return 0;
}

}  // namespace

int EmitAuditMarker(bool log_errno) {
  MarkerProgram marker{};
  const unsigned int action = log_errno ? (SECCOMP_RET_ERRNO | EPERM) : SECCOMP_RET_LOG;
  marker.filter[0] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
  marker.filter[1] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1);
  marker.filter[2] = BPF_STMT(BPF_RET | BPF_K, action);
  marker.filter[3] = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  marker.program = sock_fprog{4, marker.filter};
  marker.flags = log_errno ? SECCOMP_FILTER_FLAG_LOG : 0;
  alignas(16) static thread_local char stack[16384];
  const int pid = clone(MarkerChild, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &marker);
  if (pid < 0) return -errno;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -errno;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -ECHILD;
  return pid;
}

}  // namespace cordon
