// setsid with a check for the already-session-leader case, and the anonymous session keyring.
#include "session.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

namespace cordon {
namespace {

constexpr int kKeyctlJoinSessionKeyring = 1;  // <linux/keyctl.h> KEYCTL_JOIN_SESSION_KEYRING

/** True when this process still has a controlling terminal. */
bool HasControllingTerminal() {
  const int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty >= 0) {
    close(tty);
    return true;
  }
  if (errno == ENXIO) return false;  // the documented "no controlling terminal" answer
  // /dev/tty is missing or unreadable here: ask each standard fd whether it is our controlling tty.
  for (int fd = 0; fd <= 2; ++fd) {
    pid_t sid = 0;
    if (isatty(fd) && ioctl(fd, TIOCGSID, &sid) == 0) return true;
  }
  return false;
}

}  // namespace

int StartNewSession(Failure* failure) {
  if (setsid() >= 0) return 0;
  const int err = errno;
  // EPERM: we already lead a process group. That is fine only when we lead a session that has no
  // terminal (bwrap --new-session did the setsid for us).
  if (err == EPERM && getsid(0) == getpid() && !HasControllingTerminal()) return 0;
  return failure->Set("setsid", err);
}

int JoinFreshSessionKeyring(Failure* failure) {
  if (syscall(SYS_keyctl, kKeyctlJoinSessionKeyring, nullptr, 0, 0, 0) >= 0) return 0;
  if (errno == ENOSYS) return 0;  // kernel without CONFIG_KEYS: there is no keyring to hide
  return failure->Set("keyctl(KEYCTL_JOIN_SESSION_KEYRING)", errno);
}

}  // namespace cordon
