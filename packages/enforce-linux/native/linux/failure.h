// How cordon-exec's setup steps report what failed, and how the helper prints it ("cordon-exec: <what>: <strerror>").
#pragma once

#include <string>

namespace cordon {

/** Exit status when the helper fails or refuses before running the command (the command never runs). */
constexpr int kExitSetupFailed = 125;
/** Exit statuses a shell uses for a command that cannot be executed / is not found. */
constexpr int kExitNotExecutable = 126;
constexpr int kExitNotFound = 127;

/** Filled by a step that returns -errno: what it was doing when it failed. */
struct Failure {
  std::string what;
  int err = 0;  // positive errno

  /** Records the failure and returns -err, so steps can `return failure->Set("x", errno);`. */
  int Set(std::string description, int error) {
    what = std::move(description);
    err = error;
    return -error;
  }
};

/** Writes "cordon-exec: <what>: <strerror(err)>\n" (or without the strerror part when err is 0) to stderr. */
void PrintError(const std::string& what, int err);

/** Prints the failure and exits with kExitSetupFailed. */
[[noreturn]] void DieSetup(const Failure& failure);

}  // namespace cordon
