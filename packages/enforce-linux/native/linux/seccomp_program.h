// Builds cordon's seccomp-bpf program: architecture check, then EPERM for kernel attack surface and
// escape primitives, and socket-family rules per network mode.
// See: man 2 seccomp, man 2 socket, man 2 clone, man 2 ioctl_tty (TIOCSTI), man 2 personality.
#pragma once

#include <linux/filter.h>

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
  /** socket(AF_UNIX) and AF_UNIX socketpairs of every type; otherwise only SOCK_STREAM socketpairs. */
  bool allow_unix_sockets;
  Arch arch;
};

/** Builds the program into `out`; returns 0 or -errno (-E2BIG if it could not be encoded). */
int BuildSeccompProgram(const SeccompOptions& options, std::vector<sock_filter>* out);

/**
 * The network bridge's own filter (an allowlist): accept/connect/read/write/poll/shutdown/close/fcntl and
 * exit, socket() for AF_UNIX only; everything else fails with EPERM. Returns 0 or -errno.
 */
int BuildBridgeSeccompProgram(Arch arch, std::vector<sock_filter>* out);

}  // namespace cordon
