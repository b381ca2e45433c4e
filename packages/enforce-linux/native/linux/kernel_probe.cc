// Kernel feature probes; each is a side-effect-free syscall.
#include "kernel_probe.h"

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>

#include "landlock_abi.h"

namespace cordon {

int LandlockAbi() {
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, landlock::kCreateRulesetVersion);
  return abi > 0 ? static_cast<int>(abi) : 0;  // ENOSYS (not built), EOPNOTSUPP (disabled at boot)
}

bool SeccompFilterAvailable() {
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) return false;  // EINVAL: kernel without CONFIG_SECCOMP
  const uint32_t actions[] = {SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ERRNO};
  for (uint32_t action : actions) {
    if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) return false;
  }
  return true;
}

bool UnixSocketMediationAvailable() {
  if (!SeccompFilterAvailable()) return false;
  uint32_t action = SECCOMP_RET_USER_NOTIF;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) return false;
  seccomp_notif_sizes sizes{};
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) return false;
  // pidfd_getfd on an invalid pidfd: EBADF where the syscall exists, ENOSYS where it does not.
  if (syscall(438 /* pidfd_getfd, same on x86_64 and aarch64 */, -1, 0, 0) != -1 || errno != EBADF) return false;
  FILE* yama = std::fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
  int scope = 0;
  if (yama != nullptr) {
    if (std::fscanf(yama, "%d", &scope) != 1) scope = 3;  // unreadable: assume the strictest
    std::fclose(yama);
  }
  return scope < 2;
}

}  // namespace cordon
