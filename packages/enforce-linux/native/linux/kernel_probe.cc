// Kernel feature probes; each is a side-effect-free syscall.
#include "kernel_probe.h"

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

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

}  // namespace cordon
