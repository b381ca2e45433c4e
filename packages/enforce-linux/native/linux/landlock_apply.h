// Building and enforcing the Landlock domain described by the exec spec.
// See: man 7 landlock, man 2 landlock_create_ruleset, man 2 landlock_add_rule, man 2 landlock_restrict_self.
#pragma once

#include "exec_spec.h"
#include "failure.h"

namespace cordon {

/**
 * Creates a ruleset that handles every filesystem right of the running ABI (plus TCP rights and
 * scopes when asked), adds every rule, and restricts this process. Fails closed: an ABI below
 * spec.min_abi, a feature the ABI lacks, or any failing rule returns -errno before anything is
 * enforced; nothing is ever retried with fewer rights. Requires no_new_privs (or CAP_SYS_ADMIN).
 */
int ApplyLandlock(const LandlockSpec& spec, Failure* failure);

}  // namespace cordon
