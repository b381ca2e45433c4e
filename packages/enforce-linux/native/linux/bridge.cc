// Bridge process: setup (listeners, fork, self-confinement) and the poll(2) forwarding loop.
#include "bridge.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "fd_hygiene.h"
#include "kernel_probe.h"
#include "landlock_apply.h"
#include "privileges.h"
#include "seccomp_apply.h"
#include "seccomp_program.h"

namespace cordon {
namespace {

constexpr size_t kMaxConnections = 128;
constexpr size_t kBufferBytes = 32 * 1024;
constexpr size_t kMaxListeners = 2 * kMaxBridgeRoutes;

struct Listener {
  int fd;
  const BridgeRoute* route;
};

/** Bytes read from one side and not yet written to the other. */
struct Direction {
  char buffer[kBufferBytes];
  size_t start = 0;
  size_t end = 0;
  bool eof = false;       // the source sent FIN
  bool shut_down = false;  // FIN forwarded to the destination
  bool Empty() const { return start == end; }
  bool Done() const { return eof && Empty() && shut_down; }
};

struct Connection {
  int tcp = -1;
  int unix_fd = -1;
  Direction to_unix;  // tcp → unix
  Direction to_tcp;   // unix → tcp
  bool InUse() const { return tcp >= 0; }
};

// Static storage: the loop allocates nothing once the seccomp filter is on.
Connection g_connections[kMaxConnections];

/** Writes "cordon-exec: bridge: <what>: <strerror>" without allocating (safe under the bridge filter). */
void BridgeError(const char* what, int err) {
  char line[256];
  const int n = std::snprintf(line, sizeof line, "cordon-exec: bridge: %s: %s\n", what, std::strerror(err));
  if (n > 0) (void)!write(STDERR_FILENO, line, static_cast<size_t>(n) < sizeof line ? static_cast<size_t>(n) : sizeof line - 1);
}

[[noreturn]] void BridgeDie(const char* what, int err) {
  BridgeError(what, err);
  _exit(kExitSetupFailed);
}

int Listen(int family, uint16_t port) {
  const int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (family == AF_INET) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } else {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(port);
    addr.sin6_addr = in6addr_loopback;
    rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  if (rc != 0 || listen(fd, 128) != 0) {
    const int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

void CloseConnection(Connection& c) {
  if (c.tcp >= 0) close(c.tcp);
  if (c.unix_fd >= 0) close(c.unix_fd);
  c.tcp = c.unix_fd = -1;
}

/** Accepts one TCP connection and pairs it with a new connection to the route's unix socket. */
void Accept(const Listener& listener) {
  const int tcp = accept4(listener.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (tcp < 0) return;  // EAGAIN, ECONNABORTED, …: nothing to do
  Connection* slot = nullptr;
  for (Connection& c : g_connections) {
    if (!c.InUse()) {
      slot = &c;
      break;
    }
  }
  const int unix_fd = slot != nullptr ? socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, listener.route->unix_path.c_str(), listener.route->unix_path.size() + 1);
  // A unix connect completes at once or fails (EAGAIN when the proxy's backlog is full): never blocks.
  if (unix_fd < 0 || connect(unix_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (unix_fd >= 0) close(unix_fd);
    close(tcp);
    return;
  }
  slot->tcp = tcp;
  slot->unix_fd = unix_fd;
  slot->to_unix = Direction{};
  slot->to_tcp = Direction{};
}

/** Moves bytes from `from` to `to` through `d` without blocking. Returns false on a fatal error. */
bool Pump(int from, int to, Direction& d) {
  if (d.Empty() && !d.eof) {
    const ssize_t n = recvfrom(from, d.buffer, sizeof d.buffer, 0, nullptr, nullptr);
    if (n > 0) {
      d.start = 0;
      d.end = static_cast<size_t>(n);
    } else if (n == 0) {
      d.eof = true;
    } else if (errno != EAGAIN && errno != EINTR) {
      return false;
    }
  }
  if (!d.Empty()) {
    const ssize_t n = sendto(to, d.buffer + d.start, d.end - d.start, MSG_NOSIGNAL, nullptr, 0);
    if (n > 0) {
      d.start += static_cast<size_t>(n);
      if (d.Empty()) d.start = d.end = 0;
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return false;
    }
  }
  if (d.eof && d.Empty() && !d.shut_down) {
    shutdown(to, SHUT_WR);  // half-close: the other side may still answer
    d.shut_down = true;
  }
  return true;
}

/** poll(2) events wanted on a socket that reads into `in` and is written from `out`. */
short Events(const Direction& in, const Direction& out) {
  short events = 0;
  if (!in.eof && in.Empty()) events |= POLLIN;
  if (!out.Empty()) events |= POLLOUT;
  return events;
}

[[noreturn]] void Serve(const Listener* listeners, size_t listener_count, int parent_pidfd) {
  pollfd fds[1 + kMaxListeners + 2 * kMaxConnections];
  for (;;) {
    bool slot_free = false;
    for (const Connection& c : g_connections) slot_free = slot_free || !c.InUse();
    // Slot 0: the command's process; its pidfd becomes readable when it exits, and the bridge exits too.
    fds[0] = pollfd{parent_pidfd, POLLIN, 0};
    size_t n = 1;
      for (size_t i = 0; i < listener_count; ++i) fds[n++] = pollfd{listeners[i].fd, static_cast<short>(slot_free ? POLLIN : 0), 0};
    for (const Connection& c : g_connections) {
      // An fd we want nothing from is left out (-1): a hung-up peer would otherwise wake poll forever.
      const short tcp_events = c.InUse() ? Events(c.to_unix, c.to_tcp) : 0;
      const short unix_events = c.InUse() ? Events(c.to_tcp, c.to_unix) : 0;
      fds[n++] = pollfd{tcp_events != 0 ? c.tcp : -1, tcp_events, 0};
      fds[n++] = pollfd{unix_events != 0 ? c.unix_fd : -1, unix_events, 0};
    }
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      BridgeDie("poll", errno);
    }
    if (fds[0].revents != 0) _exit(0);
    for (size_t i = 0; i < listener_count; ++i) {
      if ((fds[1 + i].revents & POLLIN) != 0) Accept(listeners[i]);
    }
    for (size_t i = 0; i < kMaxConnections; ++i) {
      Connection& c = g_connections[i];
      const pollfd& tcp = fds[1 + listener_count + 2 * i];
      const pollfd& ux = fds[1 + listener_count + 2 * i + 1];
      if (!c.InUse() || (tcp.revents == 0 && ux.revents == 0)) continue;
      if (!Pump(c.tcp, c.unix_fd, c.to_unix) || !Pump(c.unix_fd, c.tcp, c.to_tcp) || (c.to_unix.Done() && c.to_tcp.Done())) {
        CloseConnection(c);
      }
    }
  }
}

/**
 * Everything the bridge process does before serving; never returns on failure. Returns a pidfd of the
 * command's process: the death signal alone is not enough, because a command whose Landlock domain has
 * the signal scope cannot signal the bridge (outside its domain) — not even with its death signal.
 */
int ConfineBridge(pid_t parent, const Listener* listeners, size_t count, int ready_fd) {
  Failure failure;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) BridgeDie("prctl(PR_SET_PDEATHSIG)", errno);
  const int parent_pidfd = static_cast<int>(syscall(SYS_pidfd_open, parent, 0));  // Linux >= 5.3
  if (parent_pidfd < 0) BridgeDie("pidfd_open", errno);
  if (getppid() != parent) _exit(0);  // the command's process is already gone
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) BridgeDie("prctl(PR_SET_DUMPABLE)", errno);
  std::vector<int> keep{parent_pidfd, ready_fd};
  for (size_t i = 0; i < count; ++i) keep.push_back(listeners[i].fd);
  std::sort(keep.begin(), keep.end());
  if (SetNoNewPrivs(&failure) < 0 || DropAllCapabilities(&failure) < 0 || CloseStrayFds(keep, &failure) < 0) BridgeDie(failure.what.c_str(), failure.err);
  // stdin/stdout belong to the command; keep stderr for error messages.
  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd <= 1; ++fd) {
    if (null_fd < 0 || dup2(null_fd, fd) < 0) close(fd);
  }
  if (null_fd > 2) close(null_fd);
  const int abi = LandlockAbi();
  if (abi >= 1) {
    LandlockSpec spec;  // no rules: no filesystem access; connecting to the unix socket needs none (ABI <= 7)
    spec.min_abi = 1;
    spec.restrict_tcp_connect = spec.deny_tcp_bind = abi >= 4;
    spec.scope_signals = spec.scope_abstract_unix = abi >= 6;
    if (ApplyLandlock(spec, &failure) < 0) BridgeDie(failure.what.c_str(), failure.err);
  }
  std::vector<sock_filter> program;
  if (int rc = BuildBridgeSeccompProgram(NativeArch(), &program); rc < 0) BridgeDie("building the bridge seccomp filter", -rc);
  if (InstallSeccompFilter(program, &failure) < 0) BridgeDie(failure.what.c_str(), failure.err);
  // Only now may the command start: until here the bridge was not yet fully confined.
  if (write(ready_fd, "1", 1) != 1) BridgeDie("signalling readiness", errno);
  close(ready_fd);
  return parent_pidfd;
}

}  // namespace

int ParseBridgeRoutes(const char* text, std::vector<BridgeRoute>* routes, Failure* failure) {
  const std::string all(text);
  size_t at = 0;
  while (at <= all.size()) {
    const size_t comma = all.find(',', at);
    const std::string item = all.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    const size_t equals = item.find('=');
    const std::string port_text = item.substr(0, equals);
    const std::string path = equals == std::string::npos ? std::string() : item.substr(equals + 1);
    unsigned long port = 0;
    bool port_ok = !port_text.empty() && port_text.size() <= 5 && port_text[0] != '0';
    for (char c : port_text) {
      port_ok = port_ok && c >= '0' && c <= '9';
      port = port * 10 + static_cast<unsigned long>(c - '0');
    }
    if (!port_ok || port < 1 || port > 65535 || path.empty() || path[0] != '/' || path.size() >= sizeof(sockaddr_un::sun_path)) {
      return failure->Set("--bridge: \"" + item + "\" is not PORT=/absolute/unix/socket/path (port 1..65535, path < 108 bytes)", EINVAL);
    }
    for (const BridgeRoute& route : *routes) {
      if (route.port == port) return failure->Set("--bridge: port " + port_text + " is listed twice", EINVAL);
    }
    routes->push_back(BridgeRoute{static_cast<uint16_t>(port), path});
    if (routes->size() > kMaxBridgeRoutes) return failure->Set("--bridge: more than 16 routes", EINVAL);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return 0;
}

int StartBridge(const std::vector<BridgeRoute>& routes, Failure* failure) {
  Listener listeners[kMaxListeners];
  size_t count = 0;
  for (const BridgeRoute& route : routes) {
    const int v4 = Listen(AF_INET, route.port);
    if (v4 < 0) return failure->Set("bridge: listening on 127.0.0.1:" + std::to_string(route.port), -v4);
    listeners[count++] = Listener{v4, &route};
    const int v6 = Listen(AF_INET6, route.port);
    if (v6 >= 0) {
      listeners[count++] = Listener{v6, &route};
    } else if (v6 != -EAFNOSUPPORT && v6 != -EADDRNOTAVAIL) {  // no IPv6 loopback here: IPv4 only
      return failure->Set("bridge: listening on [::1]:" + std::to_string(route.port), -v6);
    }
  }
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return failure->Set("bridge: pipe2", errno);
  // Non-dumpable from the first instruction of the child (the command's execve makes itself dumpable again).
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return failure->Set("bridge: prctl(PR_SET_DUMPABLE)", errno);
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) return failure->Set("bridge: fork", errno);
  if (child == 0) {
    close(ready[0]);
    Serve(listeners, count, ConfineBridge(parent, listeners, count, ready[1]));
  }
  close(ready[1]);
  // Wait until the bridge is confined, so the command never sees it unconfined (PROC-02).
  char byte = 0;
  ssize_t n;
  do {
    n = read(ready[0], &byte, 1);
  } while (n < 0 && errno == EINTR);
  close(ready[0]);
  if (n != 1) return failure->Set("bridge: the bridge process failed to start", n < 0 ? errno : ECHILD);
  return 0;
}

}  // namespace cordon
