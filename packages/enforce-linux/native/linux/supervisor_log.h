// Diagnostics of the unix socket supervisor: one line per kind of problem, printed once, without
// allocating (it runs under the supervisor's seccomp allowlist). Format:
// "cordon-exec: unix socket supervisor: <what>: <strerror>".
#pragma once

namespace cordon {

enum SupervisorProblem { kCannotReadMemory, kCannotOpenPidfd, kCannotDuplicate, kSupervisorProblemCount };

/** Writes the line for `problem` the first time it happens. */
void SupervisorReport(SupervisorProblem problem, const char* what, int err);

/** Writes the line unconditionally. */
void SupervisorPrint(const char* what, int err);

}  // namespace cordon
