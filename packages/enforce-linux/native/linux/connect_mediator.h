// The unix socket supervisor's decision for one connect(2) of a sandboxed task, and the connects it
// has started for blocking sockets and finishes later. See unix_mediation.h for the design.
// See: man 2 connect, man 7 unix, man 2 seccomp_unotify.
#pragma once

#include <linux/seccomp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cordon {

/** What the supervisor enforces (from the exec spec). */
struct MediationPolicy {
  /** Canonical absolute paths of the pathname unix sockets that may be reached. */
  std::vector<std::string> allow;
  /** Enforce `tcp_ports` on TCP connects, as the command's Landlock domain would (landlock.tcpConnectPorts). */
  bool restrict_tcp = false;
  std::vector<uint16_t> tcp_ports;  // strictly increasing
};

/**
 * Answers connect() notifications. The supervisor itself connects the target's own socket (a pidfd_getfd
 * duplicate: the same open file, so the task's options, binding and flags are kept) to the address it
 * copied out of the task's memory; the kernel never performs a connect() the supervisor did not check,
 * and later changes to the task's memory or fd table cannot affect it (no TOCTOU, no "continue").
 *  - AF_UNIX socket, pathname address: the path is opened O_PATH (relative paths from the task's cwd),
 *    and the socket is connected to that very inode through /proc/self/fd/N only when the opened file's
 *    canonical path is in the allowlist; otherwise EACCES (missing files too, unless the literal path
 *    is allowed: then the kernel's own error, e.g. ENOENT while the server is down).
 *  - AF_UNIX socket, abstract address: EACCES. Other address families: passed on (the kernel refuses them).
 *  - AF_INET/AF_INET6: TCP ports checked as Landlock would (EACCES), then connected as asked. Others: as asked.
 * Blocking sockets are connected without blocking the supervisor (O_NONBLOCK is set on the shared open
 * file for the duration of the call) and answered when the connection completes; a full backlog of a
 * unix listener is retried every 20 ms, as the kernel would wait.
 */
class ConnectMediator {
 public:
  static constexpr size_t kMaxParked = 64;

  ConnectMediator(int listener, const MediationPolicy& policy);
  ConnectMediator(const ConnectMediator&) = delete;
  ConnectMediator& operator=(const ConnectMediator&) = delete;

  /** Handles one received notification: answers it, parks it, or drops it when its task is gone. */
  void Handle(const seccomp_notif& notification);

  /** Fills poll entries for the parked connects (at most kMaxParked); returns how many. */
  size_t FillPollFds(pollfd* fds);
  /** poll(2) timeout the parked connects need: -1 (none), 20 ms (backlog retry) or 1 s (to drop cancelled ones). */
  int PollTimeoutMs() const;
  /** After poll: answers the parked connects that completed, retries, and drops those no longer pending. */
  void Progress(const pollfd* fds, size_t count);

 private:
  struct Parked {
    uint64_t id = 0;
    int socket = -1;     // the duplicate of the task's socket; -1 = free slot
    int path_fd = -1;    // the O_PATH fd a unix connect goes through (kept open for retries)
    bool retry = false;  // unix listener backlog full: connect again; otherwise wait for POLLOUT
    unsigned char address[sizeof(sockaddr_storage)];
    unsigned int address_length = 0;
  };

  int64_t Decide(const seccomp_notif& n, int* socket, int* path_fd, unsigned char* address, unsigned int* length);
  int64_t DecideUnix(const seccomp_notif& n, unsigned char* address, unsigned int* length, int* path_fd);
  bool TcpPortAllowed(int socket, const unsigned char* address, unsigned int length) const;
  bool Allowed(const char* canonical) const;
  /** Connects, or parks a blocking connect; returns the result, or kParked. Takes ownership of the fds. */
  int64_t Connect(uint64_t id, int socket, int path_fd, const unsigned char* address, unsigned int length);
  void Release(Parked& parked);

  int listener_;
  MediationPolicy policy_;
  Parked parked_[kMaxParked];
};

}  // namespace cordon
