// Builds cordon's seccomp-bpf program: architecture check, then EPERM for kernel attack surface and
// escape primitives, and socket-family rules per network mode.
// See: man 2 seccomp, man 2 socket, man 2 clone, man 2 ioctl_tty (TIOCSTI), man 2 personality.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <vector>

#include "syscall_table.h"

namespace cordon {

enum class NetworkMode {
  kNone,   // no sockets but AF_UNIX (see allow_unix_sockets) and AF_UNIX stream socketpairs
  kProxy,  // also AF_INET and AF_INET6 (the sandbox netns only reaches the bridge)
  kFull,   // also AF_NETLINK/NETLINK_ROUTE; every other family stays denied
};

struct SeccompOptions {
  NetworkMode network;
  /**
   * socket(AF_UNIX) and AF_UNIX socketpairs of type SOCK_STREAM or SOCK_SEQPACKET (never datagram);
   * otherwise no socket(AF_UNIX) and only SOCK_STREAM socketpairs. Only safe together with the connect()
   * mediation (unix_mediation.h): the filter cannot see which path connect() reaches.
   */
  bool allow_unix_sockets;
  Arch arch;
};

/** Builds the program into `out`; returns 0 or -errno (-E2BIG if it could not be encoded). */
int BuildSeccompProgram(const SeccompOptions& options, std::vector<sock_filter>* out);

/**
 * The filter the command gets in addition to its main one when unix sockets are mediated: connect() on
 * the native arch returns SECCOMP_RET_USER_NOTIF (answered by the supervisor); other arches are killed.
 */
int BuildConnectNotifyProgram(Arch arch, std::vector<sock_filter>* out);

/**
 * The unix socket supervisor's own filter (an allowlist): what its loop needs, with ioctl limited to the
 * notification requests, openat to O_PATH and directory reads, fcntl to F_GETFL/F_SETFL and kill to
 * `command_pid` and `self_pid`. Everything else fails with EPERM. Returns 0 or -errno.
 */
int BuildSupervisorSeccompProgram(Arch arch, int32_t command_pid, int32_t self_pid, std::vector<sock_filter>* out);

/**
 * The network bridge's own filter (an allowlist): accept/connect/read/write/poll/shutdown/close/fcntl and
 * exit, socket() for AF_UNIX only; everything else fails with EPERM. Returns 0 or -errno.
 */
int BuildBridgeSeccompProgram(Arch arch, std::vector<sock_filter>* out);

}  // namespace cordon
