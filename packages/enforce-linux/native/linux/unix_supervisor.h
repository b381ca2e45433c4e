// The unix socket supervisor process: its setup (receiving the listener, checks, self-confinement),
// its poll(2) loop, and mirroring the command's exit. See unix_mediation.h for the design.
// See: man 2 signalfd, man 2 wait4, man 2 prctl (PR_SET_CHILD_SUBREAPER), man 2 seccomp_unotify.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "exec_spec.h"

namespace cordon {

/** The value the command stores in g_mediation_probe before the handoff (xor its pid). */
constexpr uint64_t kMediationProbeMagic = 0x636f72646f6e2d75ull;
/** Read by the supervisor from the command's memory to prove it can read it (same address after fork). */
extern volatile uint64_t g_mediation_probe;

/**
 * Runs the supervisor for `command` (its child) with its end of the channel (`command_channel` is the
 * number of the command's end, in the command's fd table); never returns. Exits with
 * the command's status (re-raising its death signal), or prints "cordon-exec: unix socket supervisor:
 * <what>: <strerror>", kills the command and exits 125 when its own setup fails.
 */
[[noreturn]] void RunSupervisor(const ExecSpec& spec, pid_t command, int channel, int command_channel);

}  // namespace cordon
