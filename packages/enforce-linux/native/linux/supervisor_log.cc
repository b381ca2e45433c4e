// snprintf + write(2) to stderr: no allocation, so it works after the supervisor's filter is installed.
#include "supervisor_log.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace cordon {
namespace {

bool g_reported[kSupervisorProblemCount] = {};

}  // namespace

void SupervisorPrint(const char* what, int err) {
  char line[512];
  const int n = std::snprintf(line, sizeof line, "cordon-exec: unix socket supervisor: %s: %s\n", what, std::strerror(err));
  if (n > 0) (void)!write(STDERR_FILENO, line, static_cast<size_t>(n) < sizeof line ? static_cast<size_t>(n) : sizeof line - 1);
}

void SupervisorReport(SupervisorProblem problem, const char* what, int err) {
  if (g_reported[problem]) return;
  g_reported[problem] = true;
  SupervisorPrint(what, err);
}

}  // namespace cordon
