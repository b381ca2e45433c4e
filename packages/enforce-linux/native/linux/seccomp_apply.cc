// seccomp(SECCOMP_SET_MODE_FILTER, TSYNC) with a sanity check of the program's leading arch test.
#include "seccomp_apply.h"

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "syscall_table.h"

namespace cordon {

int InstallSeccompFilter(const std::vector<sock_filter>& program, Failure* failure) { return InstallSeccompFilter(program, false, failure); }

int InstallSeccompFilter(const std::vector<sock_filter>& program, bool log_denials, Failure* failure) {
  const bool arch_check_first = program.size() >= 2 && program[0].code == (BPF_LD | BPF_W | BPF_ABS) && program[0].k == 4 &&
                                program[1].code == (BPF_JMP | BPF_JEQ | BPF_K) && program[1].k == AuditArch(NativeArch());
  if (!arch_check_first) return failure->Set("seccomp program does not start with the check for this architecture", EINVAL);
  sock_fprog fprog{static_cast<unsigned short>(program.size()), const_cast<sock_filter*>(program.data())};
  const unsigned long flags = SECCOMP_FILTER_FLAG_TSYNC | (log_denials ? SECCOMP_FILTER_FLAG_LOG : 0);
  const long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (rc < 0) return failure->Set("seccomp(SECCOMP_SET_MODE_FILTER)", errno);
  if (rc > 0) return failure->Set("seccomp: thread " + std::to_string(rc) + " could not be synchronized", EAGAIN);
  return 0;
}

}  // namespace cordon
