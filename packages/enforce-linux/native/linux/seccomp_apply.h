// Installing the seccomp-bpf program from the exec spec on this process (all threads).
// See: man 2 seccomp (SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC).
#pragma once

#include <linux/filter.h>

#include <vector>

#include "failure.h"

namespace cordon {

/**
 * Checks that `program` starts with the architecture check for this build's arch (a program for
 * another arch would kill every syscall), then installs it. Requires no_new_privs. Returns 0 or -errno.
 */
int InstallSeccompFilter(const std::vector<sock_filter>& program, Failure* failure);

/** As above; `log_denials` adds SECCOMP_FILTER_FLAG_LOG (the kernel audit-logs errno actions, for --log-denials). */
int InstallSeccompFilter(const std::vector<sock_filter>& program, bool log_denials, Failure* failure);

}  // namespace cordon
