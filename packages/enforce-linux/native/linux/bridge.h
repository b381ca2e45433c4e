// The network bridge: inside the sandbox's network namespace it listens on loopback TCP ports and forwards
// each connection to a unix socket served by the host's egress proxy.
// See: man 7 unix, man 7 tcp, man 2 poll, man 2 shutdown, man 2 prctl (PR_SET_PDEATHSIG, PR_SET_DUMPABLE).
//
// Design. cordon-exec binds every listener first (so the command can never connect before the bridge
// listens), then forks the bridge before it confines itself for the command, and waits on a pipe until
// the bridge reports that it is fully confined (so the command never sees it unconfined). The bridge process:
//  - exits with the command's process: it polls a pidfd of that process (the death signal alone fails
//    when the command's Landlock domain has the signal scope); the pid namespace also reaps it;
//  - is non-dumpable (PR_SET_DUMPABLE 0) and keeps no capabilities, so the command cannot ptrace it or
//    read its memory (PROC-02); with Landlock ABI >= 6 it sits in its own domain with the signal and
//    abstract-socket scopes, and the command's domain (created later, separately) cannot signal it
//    when scopeSignals is set;
//  - keeps only its listening sockets and stderr, enters a Landlock domain with no filesystem or TCP
//    rights, and installs its own allowlist seccomp filter (BuildBridgeSeccompProgram);
//  - runs a single-threaded poll(2) loop with fixed buffers: it reads from one side only when the
//    buffer towards the other side is empty (back-pressure), forwards EOF as shutdown(SHUT_WR)
//    (half-close), and closes a pair on any error or when both directions are finished.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "failure.h"

namespace cordon {

struct BridgeRoute {
  uint16_t port;
  std::string unix_path;
};

constexpr size_t kMaxBridgeRoutes = 16;

/** Parses "PORT=/abs/unix/path[,PORT=/path…]" (ports 1..65535, unique; paths absolute, < 108 bytes). Returns 0 or -EINVAL. */
int ParseBridgeRoutes(const char* text, std::vector<BridgeRoute>* routes, Failure* failure);

/**
 * Binds 127.0.0.1:PORT (and [::1]:PORT when IPv6 loopback exists) for every route and forks the
 * bridge process. Returns 0 in the caller (whose copies of the listeners are closed later with the
 * other stray fds), or -errno when a listener cannot be set up or the fork fails.
 */
int StartBridge(const std::vector<BridgeRoute>& routes, Failure* failure);

}  // namespace cordon
