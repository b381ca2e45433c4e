// seccomp(2) listener installation and the SECCOMP_IOCTL_NOTIF_* calls, without allocation (the supervisor's loop uses them).
#include "seccomp_notify.h"

#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cordon {
namespace {

// Kernels 5.0..5.6 only know ID_VALID under this (wrong-direction) number; later ones accept both.
constexpr unsigned long kIdValidBefore57 = SECCOMP_IOR(2, __u64);

}  // namespace

int InstallListenerFilter(const std::vector<sock_filter>& program, Failure* failure) {
  sock_fprog fprog{static_cast<unsigned short>(program.size()), const_cast<sock_filter*>(program.data())};
  // No TSYNC: cordon-exec is single-threaded, and TSYNC with a listener needs TSYNC_ESRCH (5.7+).
  const long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
  if (fd < 0) return failure->Set("seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)", errno);
  return static_cast<int>(fd);
}

int CheckNotificationSizes(Failure* failure) {
  seccomp_notif_sizes sizes{};
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) return failure->Set("seccomp(SECCOMP_GET_NOTIF_SIZES)", errno);
  if (sizes.seccomp_notif > sizeof(NotificationBuffer) || sizes.seccomp_notif_resp < sizeof(seccomp_notif_resp) ||
      sizes.seccomp_notif_resp > sizeof(seccomp_notif_resp) * 4) {
    return failure->Set("seccomp notification structs of this kernel do not fit this build", EOVERFLOW);
  }
  return 0;
}

int ReceiveNotification(int listener, NotificationBuffer* buffer) {
  std::memset(buffer, 0, sizeof *buffer);
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, buffer) == 0 ? 0 : -errno;
}

bool NotificationValid(int listener, uint64_t id) {
  uint64_t cookie = id;
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &cookie) == 0) return true;
  if (errno != EINVAL && errno != ENOTTY) return false;  // ENOENT: no longer pending
  return ioctl(listener, kIdValidBefore57, &cookie) == 0;
}

int AnswerNotification(int listener, uint64_t id, int64_t result) {
  // The kernel reads its own struct size; a larger one (future fields) must be zero past ours.
  unsigned char bytes[sizeof(seccomp_notif_resp) * 4] = {};
  seccomp_notif_resp response{};
  response.id = id;
  response.val = result >= 0 ? result : 0;
  response.error = result >= 0 ? 0 : static_cast<int32_t>(result);
  std::memcpy(bytes, &response, sizeof response);
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, bytes) == 0 ? 0 : -errno;
}

}  // namespace cordon
