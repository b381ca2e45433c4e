// Self-check through prctl/capget rather than /proc, which may be absent or unreadable under Landlock.
#include "self_check.h"

#include <linux/seccomp.h>
#include <sys/prctl.h>

#include <cerrno>

#include "privileges.h"

namespace cordon {

int VerifyConfinement(bool expect_seccomp_filter, Failure* failure) {
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return failure->Set("self-check: NoNewPrivs is not 1", EPERM);
  if (expect_seccomp_filter && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != SECCOMP_MODE_FILTER) {
    return failure->Set("self-check: Seccomp is not 2 (filter mode)", EPERM);
  }
  if (!CapabilitySetsEmpty()) return failure->Set("self-check: capabilities are still held (CapEff/CapPrm/CapInh/CapAmb)", EPERM);
  return 0;
}

}  // namespace cordon
