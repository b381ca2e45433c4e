// process_vm_readv, pidfd_open/pidfd_getfd and /proc lookups on the task that waits for the supervisor.
#include "target_access.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  // same number on x86_64 and aarch64
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

namespace cordon {
namespace {

constexpr unsigned int kPidfdThread = O_EXCL;  // PIDFD_THREAD (Linux >= 6.9)

/** Cleared after the first EINVAL: this kernel has no thread pidfds. */
bool g_thread_pidfds = true;

long PidfdOpen(pid_t pid, unsigned int flags) {
  return syscall(SYS_pidfd_open, pid, flags);
}

/** pidfd_open(2) succeeds only for a thread-group leader: try each thread of `tid`'s group. */
int OpenLeaderPidfd(pid_t tid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/task", static_cast<int>(tid));
  const int dir = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -errno;
  alignas(8) char buffer[4096];
  int result = -ESRCH;
  for (;;) {
    const long n = syscall(SYS_getdents64, dir, buffer, sizeof buffer);
    if (n <= 0) {
      if (n < 0) result = -errno;
      break;
    }
    for (long at = 0; at < n;) {
      // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[].
      unsigned short reclen = 0;
      std::memcpy(&reclen, buffer + at + 16, sizeof reclen);
      const char* name = buffer + at + 19;
      at += reclen;
      char* end = nullptr;
      const long id = std::strtol(name, &end, 10);
      if (end == name || *end != '\0' || id <= 0) continue;  // ".", ".."
      const long fd = PidfdOpen(static_cast<pid_t>(id), 0);
      if (fd >= 0) {
        close(dir);
        return static_cast<int>(fd);
      }
    }
  }
  close(dir);
  return result;
}

}  // namespace

int ReadTargetMemory(pid_t tid, uint64_t address, void* out, size_t length) {
  iovec local{out, length};
  iovec remote{reinterpret_cast<void*>(static_cast<uintptr_t>(address)), length};
  const ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
  if (n < 0) return -errno;
  return static_cast<size_t>(n) == length ? 0 : -EFAULT;
}

int OpenTargetPidfd(pid_t tid) {
  if (g_thread_pidfds) {
    const long fd = PidfdOpen(tid, kPidfdThread);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EINVAL) return -errno;
    g_thread_pidfds = false;
  }
  const long fd = PidfdOpen(tid, 0);
  if (fd >= 0) return static_cast<int>(fd);
  // Not a thread-group leader: EINVAL before Linux 6.9, ENOENT since (on kernels without PIDFD_THREAD
  // only the first can happen; the second shows up when PIDFD_THREAD is unusable for another reason).
  if (errno != EINVAL && errno != ENOENT) return -errno;
  return OpenLeaderPidfd(tid);
}

int DuplicateTargetFd(int pidfd, int fd) {
  const long copy = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
  return copy >= 0 ? static_cast<int>(copy) : -errno;
}

int OpenTargetCwd(pid_t tid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/cwd", static_cast<int>(tid));
  const int fd = openat(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return fd >= 0 ? fd : -errno;
}

int CanonicalPathOf(int fd, char* out, size_t size) {
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlinkat(AT_FDCWD, link, out, size - 1);
  if (n < 0) return -errno;
  if (static_cast<size_t>(n) >= size - 1) return -ENAMETOOLONG;
  out[n] = '\0';
  return 0;
}

}  // namespace cordon
