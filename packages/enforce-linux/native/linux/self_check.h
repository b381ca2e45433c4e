// Last check before exec: the confinement really is in place (FC-08).
// See: man 2 prctl (PR_GET_NO_NEW_PRIVS, PR_GET_SECCOMP), man 5 proc (NoNewPrivs, Seccomp, CapEff).
#pragma once

#include "failure.h"

namespace cordon {

/** Checks NoNewPrivs = 1, Seccomp = 2 (filter mode) when a program was installed, and empty capability sets. Returns 0 or -errno. */
int VerifyConfinement(bool expect_seccomp_filter, Failure* failure);

}  // namespace cordon
