// Probes which confinement features the running kernel offers (Landlock ABI, seccomp filters).
// See: man 2 landlock_create_ruleset (LANDLOCK_CREATE_RULESET_VERSION), man 2 seccomp (SECCOMP_GET_ACTION_AVAIL).
#pragma once

namespace cordon {

/** Landlock ABI version (>= 1), or 0 when Landlock is not built in or not enabled. */
int LandlockAbi();

/** True when seccomp filters with the KILL_PROCESS and ERRNO actions can be installed. */
bool SeccompFilterAvailable();

}  // namespace cordon
