// Error printing for cordon-exec; uses write(2) directly so it works whatever state stdio is in.
#include "failure.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cordon {

void PrintError(const std::string& what, int err) {
  std::string line = "cordon-exec: " + what;
  if (err != 0) {
    line += ": ";
    line += std::strerror(err);
  }
  line += '\n';
  const char* data = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = write(STDERR_FILENO, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr is gone; the exit status still tells the caller
    data += n;
    left -= static_cast<size_t>(n);
  }
}

void DieSetup(const Failure& failure) {
  PrintError(failure.what, failure.err);
  _exit(kExitSetupFailed);
}

}  // namespace cordon
