// Closing every file descriptor the command must not inherit (FS-17, FS-18, ENV-07).
// See: man 2 close_range, man 2 fcntl (FD_CLOEXEC).
#pragma once

#include <vector>

#include "failure.h"

namespace cordon {

/**
 * Closes every fd >= 3 except `keep` (strictly increasing, each >= 3), and clears FD_CLOEXEC on the
 * kept ones so they survive execve. A kept fd that is not open is an error. Returns 0 or -errno.
 */
int CloseStrayFds(const std::vector<int>& keep, Failure* failure);

}  // namespace cordon
