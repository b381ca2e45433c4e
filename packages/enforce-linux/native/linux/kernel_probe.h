// Probes which confinement features the running kernel offers (Landlock ABI, seccomp filters).
// See: man 2 landlock_create_ruleset (LANDLOCK_CREATE_RULESET_VERSION), man 2 seccomp (SECCOMP_GET_ACTION_AVAIL).
#pragma once

namespace cordon {

/** Landlock ABI version (>= 1), or 0 when Landlock is not built in or not enabled. */
int LandlockAbi();

/** True when seccomp filters with the KILL_PROCESS and ERRNO actions can be installed. */
bool SeccompFilterAvailable();

/**
 * True when unix socket mediation can work here (unix_mediation.h): seccomp user notifications with
 * SECCOMP_GET_NOTIF_SIZES, pidfd_getfd (Linux >= 5.6, hence pidfd_open), and Yama ptrace_scope < 2
 * (scope 2 and 3 forbid the supervisor to read its descendants' memory).
 */
bool UnixSocketMediationAvailable();

}  // namespace cordon
