// How the unix socket supervisor reaches into a task blocked in connect(2): its memory, its fd table
// (via a pidfd) and its working directory. Every call is a plain syscall (no allocation), so they work
// under the supervisor's seccomp allowlist. The caller re-checks the notification (NotificationValid)
// after these calls: only then is it known that the pid still named the blocked task.
// See: man 2 process_vm_readv, man 2 pidfd_open (PIDFD_THREAD), man 2 pidfd_getfd, man 5 proc.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace cordon {

/** Copies `length` bytes at `address` in task `tid` into `out`. Returns 0, -EFAULT (partly unmapped) or -errno. */
int ReadTargetMemory(pid_t tid, uint64_t address, void* out, size_t length);

/**
 * A pidfd for task `tid` (a thread pidfd, Linux >= 6.9), else for its thread-group leader (found in
 * /proc/<tid>/task when `tid` is not the leader; threads share the leader's fd table unless created
 * without CLONE_FILES — then a wrong socket may be picked, which the kernel or the allowlist still
 * checks). Returns the fd or -errno.
 */
int OpenTargetPidfd(pid_t tid);

/** A duplicate of the target's fd `fd` (the same open socket, not a copy). Returns the fd or -errno. */
int DuplicateTargetFd(int pidfd, int fd);

/** An O_PATH fd of task `tid`'s working directory (for relative socket paths). Returns the fd or -errno. */
int OpenTargetCwd(pid_t tid);

/**
 * The absolute path of what `fd` refers to, as the kernel prints it for /proc/self/fd/<fd> (every
 * symlink resolved; " (deleted)" appended to unlinked files). Returns 0 or -errno.
 */
int CanonicalPathOf(int fd, char* out, size_t size);

}  // namespace cordon
