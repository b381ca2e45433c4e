// close_range(2) over the gaps between kept fds, with a /proc/self/fd (or brute-force) fallback for old kernels.
#include "fd_hygiene.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>

#ifndef SYS_close_range
#define SYS_close_range 436  // same number on x86_64 and aarch64
#endif

namespace cordon {
namespace {

bool IsKept(const std::vector<int>& keep, int fd) {
  return fd <= 2 || std::binary_search(keep.begin(), keep.end(), fd);
}

/** Fallback: close everything listed in /proc/self/fd, else every number up to the fd limit. */
int CloseStrayFdsSlowly(const std::vector<int>& keep) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir != nullptr) {
    const int dir_fd = dirfd(dir);
    std::vector<int> open_fds;
    while (dirent* entry = readdir(dir)) {
      char* end = nullptr;
      const long fd = std::strtol(entry->d_name, &end, 10);
      if (*end == '\0' && end != entry->d_name && fd != dir_fd && fd <= INT_MAX) open_fds.push_back(static_cast<int>(fd));
    }
    closedir(dir);
    for (int fd : open_fds) {
      if (!IsKept(keep, fd)) close(fd);
    }
    return 0;
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -errno;
  const rlim_t highest = std::min<rlim_t>(std::max(limit.rlim_cur, limit.rlim_max), 1u << 20);
  for (rlim_t fd = 3; fd < highest; ++fd) {
    if (!IsKept(keep, static_cast<int>(fd))) close(static_cast<int>(fd));
  }
  return 0;
}

}  // namespace

int CloseStrayFds(const std::vector<int>& keep, Failure* failure) {
  for (int fd : keep) {
    const int flags = fcntl(fd, F_GETFD);
    if (flags < 0) return failure->Set("kept fd " + std::to_string(fd) + " is not open", errno);
    if ((flags & FD_CLOEXEC) != 0 && fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) {
      return failure->Set("fcntl(" + std::to_string(fd) + ", F_SETFD)", errno);
    }
  }
  unsigned int low = 3;
  for (size_t i = 0; i <= keep.size(); ++i) {
    const unsigned int high = i < keep.size() ? static_cast<unsigned int>(keep[i]) - 1 : UINT_MAX;
    if (low <= high && syscall(SYS_close_range, low, high, 0) != 0) {
      if (errno != ENOSYS) return failure->Set("close_range", errno);
      const int rc = CloseStrayFdsSlowly(keep);  // kernel < 5.9
      return rc == 0 ? 0 : failure->Set("closing inherited file descriptors", -rc);
    }
    if (i < keep.size()) low = static_cast<unsigned int>(keep[i]) + 1;
  }
  return 0;
}

}  // namespace cordon
