// Deciding and performing one mediated connect(2); parking and finishing connects of blocking sockets.
#include "connect_mediator.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "seccomp_notify.h"
#include "supervisor_log.h"
#include "syscall_table.h"
#include "target_access.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

namespace cordon {
namespace {

constexpr int64_t kParked = INT64_MIN;
constexpr int64_t kDropped = INT64_MIN + 1;
constexpr int kRetryMs = 20;
constexpr int kRevalidateMs = 1000;
constexpr size_t kPathOffset = offsetof(sockaddr_un, sun_path);
static_assert(sizeof(sockaddr_un) <= sizeof(sockaddr_storage), "a rewritten unix address fits the buffer");

/** Owns an fd until released. */
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  void Reset(int fd) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

int SocketOption(int socket, int option, int* value) {
  socklen_t size = sizeof *value;
  return getsockopt(socket, SOL_SOCKET, option, value, &size) == 0 ? 0 : -errno;
}

}  // namespace

ConnectMediator::ConnectMediator(int listener, const MediationPolicy& policy) : listener_(listener), policy_(policy) {}

bool ConnectMediator::Allowed(const char* canonical) const {
  for (const std::string& path : policy_.allow) {
    if (path == canonical) return true;
  }
  return false;
}

bool ConnectMediator::TcpPortAllowed(int socket, const unsigned char* address, unsigned int length) const {
  if (!policy_.restrict_tcp) return true;
  int type = 0;
  int protocol = 0;
  if (SocketOption(socket, SO_TYPE, &type) < 0 || SocketOption(socket, SO_PROTOCOL, &protocol) < 0) return false;
  if (type != SOCK_STREAM || (protocol != IPPROTO_TCP && protocol != IPPROTO_MPTCP)) return true;  // Landlock rules cover TCP only
  sa_family_t family = AF_UNSPEC;
  if (length >= sizeof family) std::memcpy(&family, address, sizeof family);
  uint16_t port = 0;
  if (family == AF_INET && length >= sizeof(sockaddr_in)) {
    std::memcpy(&port, address + offsetof(sockaddr_in, sin_port), sizeof port);
  } else if (family == AF_INET6 && length >= offsetof(sockaddr_in6, sin6_scope_id)) {
    std::memcpy(&port, address + offsetof(sockaddr_in6, sin6_port), sizeof port);
  } else {
    return true;  // AF_UNSPEC dissolves an association (Landlock allows it); a short address is refused by the kernel
  }
  return std::binary_search(policy_.tcp_ports.begin(), policy_.tcp_ports.end(), ntohs(port));
}

int64_t ConnectMediator::DecideUnix(const seccomp_notif& n, unsigned char* address, unsigned int* length, int* path_fd) {
  sa_family_t family = AF_UNSPEC;
  if (*length >= sizeof family) std::memcpy(&family, address, sizeof family);
  // Not a name (another family, or too short): the kernel refuses it, or AF_UNSPEC dissolves an association.
  if (family != AF_UNIX || *length <= kPathOffset) return 0;
  const char* sun_path = reinterpret_cast<const char*>(address) + kPathOffset;
  if (sun_path[0] == '\0') return -EACCES;  // abstract: never reachable (policy.md 5)
  char path[sizeof(sockaddr_un::sun_path) + 1];
  const size_t path_length = strnlen(sun_path, *length - kPathOffset);
  std::memcpy(path, sun_path, path_length);
  path[path_length] = '\0';

  Fd base;
  if (path[0] != '/') {
    base.Reset(OpenTargetCwd(static_cast<pid_t>(n.pid)));
    if (!NotificationValid(listener_, n.id)) return kDropped;  // the cwd is the blocked task's only if it is still blocked
    if (base.get() < 0) return -EACCES;
  }
  Fd target(openat(base.get() >= 0 ? base.get() : AT_FDCWD, path, O_PATH | O_CLOEXEC));
  if (target.get() < 0) {
    // Hide what exists outside the allowlist; keep the kernel's answer (ENOENT: server down) for an allowed path.
    return path[0] == '/' && Allowed(path) ? -errno : -EACCES;
  }
  char canonical[PATH_MAX];
  if (CanonicalPathOf(target.get(), canonical, sizeof canonical) < 0 || !Allowed(canonical)) return -EACCES;
  // Connect to the inode just checked, not to the name again: nothing can be swapped in between.
  sockaddr_un via{};
  via.sun_family = AF_UNIX;
  const int written = std::snprintf(via.sun_path, sizeof via.sun_path, "/proc/self/fd/%d", target.get());
  std::memset(address, 0, sizeof(sockaddr_un));
  std::memcpy(address, &via, sizeof via);
  *length = static_cast<unsigned int>(kPathOffset + static_cast<size_t>(written) + 1);
  *path_fd = target.Release();
  return 0;
}

int64_t ConnectMediator::Decide(const seccomp_notif& n, int* socket, int* path_fd, unsigned char* address, unsigned int* length) {
  if (n.data.nr != SyscallNumber(Sys::connect, NativeArch()) || n.data.arch != AuditArch(NativeArch()) || n.pid == 0) return -EACCES;
  const int fd = static_cast<int>(static_cast<uint32_t>(n.data.args[0]));
  const uint64_t pointer = n.data.args[1];
  const int requested = static_cast<int>(static_cast<uint32_t>(n.data.args[2]));
  if (requested < 0 || static_cast<size_t>(requested) > sizeof(sockaddr_storage)) return -EINVAL;  // as move_addr_to_kernel
  *length = static_cast<unsigned int>(requested);
  const pid_t tid = static_cast<pid_t>(n.pid);

  if (*length > 0) {
    const int rc = ReadTargetMemory(tid, pointer, address, *length);
    if (rc < 0) {
      if (!NotificationValid(listener_, n.id)) return kDropped;
      if (rc == -EFAULT) return -EFAULT;
      SupervisorReport(kCannotReadMemory, "cannot read the memory of the task calling connect(); refused with EACCES (is the program unreadable or made itself non-dumpable?)", -rc);
      return -EACCES;
    }
  }
  Fd pidfd(OpenTargetPidfd(tid));
  // Still pending: the task did not leave connect(), so the pid (memory read, pidfd) was not reused.
  if (!NotificationValid(listener_, n.id)) return kDropped;
  if (pidfd.get() < 0) {
    SupervisorReport(kCannotOpenPidfd, "cannot open a pidfd of the task calling connect(); refused with EACCES", -pidfd.get());
    return -EACCES;
  }
  Fd sock(DuplicateTargetFd(pidfd.get(), fd));
  if (sock.get() < 0) {
    if (sock.get() == -EBADF) return -EBADF;
    SupervisorReport(kCannotDuplicate, "cannot duplicate the socket of the task calling connect(); refused with EACCES", -sock.get());
    return -EACCES;
  }
  int domain = 0;
  if (int rc = SocketOption(sock.get(), SO_DOMAIN, &domain); rc < 0) return rc;  // ENOTSOCK, as connect() would say
  if (domain == AF_UNIX) {
    const int64_t verdict = DecideUnix(n, address, length, path_fd);
    if (verdict != 0) return verdict;
  } else if ((domain == AF_INET || domain == AF_INET6) && !TcpPortAllowed(sock.get(), address, *length)) {
    return -EACCES;  // what Landlock answers for a TCP port without a rule
  }
  *socket = sock.Release();
  return 0;
}

void ConnectMediator::Handle(const seccomp_notif& n) {
  unsigned char address[sizeof(sockaddr_storage)] = {};
  unsigned int length = 0;
  int socket = -1;
  int path_fd = -1;
  int64_t result = Decide(n, &socket, &path_fd, address, &length);
  if (result == 0) result = Connect(n.id, socket, path_fd, address, length);
  if (result != kParked && result != kDropped) AnswerNotification(listener_, n.id, result);  // ENOENT: the task went away
}

int64_t ConnectMediator::Connect(uint64_t id, int socket_fd, int path_fd_raw, const unsigned char* address, unsigned int length) {
  Fd socket(socket_fd);
  Fd path_fd(path_fd_raw);
  const sockaddr* to = reinterpret_cast<const sockaddr*>(address);
  const int flags = fcntl(socket.get(), F_GETFL);
  if (flags < 0) return -errno;
  if ((flags & O_NONBLOCK) != 0) return connect(socket.get(), to, length) == 0 ? 0 : -errno;

  // A blocking socket: start the connect without blocking the supervisor, and answer when it completes.
  if (fcntl(socket.get(), F_SETFL, flags | O_NONBLOCK) != 0) return -errno;
  const int rc = connect(socket.get(), to, length);
  const int err = errno;
  fcntl(socket.get(), F_SETFL, flags);
  if (rc == 0) return 0;
  int domain = 0;
  SocketOption(socket.get(), SO_DOMAIN, &domain);
  const bool in_progress = (err == EINPROGRESS || err == EALREADY) && domain != AF_UNIX;
  const bool backlog_full = err == EAGAIN && domain == AF_UNIX;
  if (!in_progress && !backlog_full) return -err;
  for (Parked& parked : parked_) {
    if (parked.socket >= 0) continue;
    parked.id = id;
    parked.socket = socket.Release();
    parked.path_fd = path_fd.Release();
    parked.retry = backlog_full;
    std::memcpy(parked.address, address, length);
    parked.address_length = length;
    return kParked;
  }
  // Every slot taken: wait here, as the kernel would have (the socket is blocking).
  return connect(socket.get(), to, length) == 0 ? 0 : -errno;
}

void ConnectMediator::Release(Parked& parked) {
  if (parked.socket >= 0) close(parked.socket);
  if (parked.path_fd >= 0) close(parked.path_fd);
  parked = Parked{};
}

size_t ConnectMediator::FillPollFds(pollfd* fds) {
  for (size_t i = 0; i < kMaxParked; ++i) {
    const Parked& p = parked_[i];
    fds[i] = pollfd{p.socket >= 0 && !p.retry ? p.socket : -1, POLLOUT, 0};
  }
  return kMaxParked;
}

int ConnectMediator::PollTimeoutMs() const {
  int timeout = -1;
  for (const Parked& p : parked_) {
    if (p.socket < 0) continue;
    timeout = p.retry ? kRetryMs : std::max(timeout, kRevalidateMs);
    if (p.retry) break;
  }
  return timeout;
}

void ConnectMediator::Progress(const pollfd* fds, size_t count) {
  for (size_t i = 0; i < kMaxParked && i < count; ++i) {
    Parked& p = parked_[i];
    if (p.socket < 0) continue;
    if (!NotificationValid(listener_, p.id)) {  // interrupted or killed: a restarted connect() comes as a new notification
      Release(p);
      continue;
    }
    int64_t result = kParked;
    if (!p.retry && fds[i].revents != 0) {
      int error = 0;
      const int rc = SocketOption(p.socket, SO_ERROR, &error);
      result = rc < 0 ? rc : -error;
    } else if (p.retry) {
      const int flags = fcntl(p.socket, F_GETFL);
      if (flags >= 0 && fcntl(p.socket, F_SETFL, flags | O_NONBLOCK) == 0) {
        const int rc = connect(p.socket, reinterpret_cast<const sockaddr*>(p.address), p.address_length);
        const int err = errno;
        fcntl(p.socket, F_SETFL, flags);
        if (rc == 0 || err != EAGAIN) result = rc == 0 ? 0 : -err;
      } else {
        result = -errno;
      }
    }
    if (result == kParked) continue;
    AnswerNotification(listener_, p.id, result);
    Release(p);
  }
}

}  // namespace cordon
