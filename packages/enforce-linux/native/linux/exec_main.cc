// cordon-exec: applies the exec spec (session, keyring, no_new_privs, capabilities, fds, Landlock,
// seccomp, self-check) and execve's the command; optionally starts the network bridge first.
// Usage: cordon-exec --spec-fd N [--bridge PORT=UNIXPATH[,PORT=UNIXPATH...]] -- CMD [ARGS...]
// Any failure before the command runs prints "cordon-exec: <what>: <strerror>" and exits 125.
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "bridge.h"
#include "command_exec.h"
#include "exec_spec.h"
#include "failure.h"
#include "fd_hygiene.h"
#include "fd_io.h"
#include "landlock_apply.h"
#include "privileges.h"
#include "seccomp_apply.h"
#include "self_check.h"
#include "session.h"
#include "unix_mediation.h"

extern char** environ;

namespace cordon {
namespace {

constexpr char kUsage[] = "usage: cordon-exec --spec-fd N [--bridge PORT=UNIXPATH[,...]] -- CMD [ARGS...]";

struct Arguments {
  int spec_fd = -1;
  std::vector<BridgeRoute> bridge;
  char** command = nullptr;  // NULL-terminated argv of the command
};

/** Parses a decimal fd number >= 3 without sign, spaces or leading zeros. */
bool ParseFd(const char* text, int* fd) {
  if (text[0] < '1' || text[0] > '9' || std::strlen(text) > 7) return false;
  long value = 0;
  for (const char* c = text; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9') return false;
    value = value * 10 + (*c - '0');
  }
  if (value < 3 || value > static_cast<long>(kMaxFd)) return false;
  *fd = static_cast<int>(value);
  return true;
}

int ParseArguments(int argc, char** argv, Arguments* args, Failure* failure) {
  const bool bridge = argc >= 5 && std::strcmp(argv[3], "--bridge") == 0;
  const int separator = bridge ? 5 : 3;
  if (argc < separator + 2 || std::strcmp(argv[1], "--spec-fd") != 0 || std::strcmp(argv[separator], "--") != 0) return failure->Set(kUsage, EINVAL);
  if (!ParseFd(argv[2], &args->spec_fd)) return failure->Set(std::string("--spec-fd must be a file descriptor number >= 3, got \"") + argv[2] + "\"", EINVAL);
  if (bridge && ParseBridgeRoutes(argv[4], &args->bridge, failure) < 0) return -EINVAL;
  args->command = argv + separator + 1;
  return 0;
}

int ReadSpec(int spec_fd, ExecSpec* spec, Failure* failure) {
  std::vector<uint8_t> bytes;
  const int rc = ReadAll(spec_fd, kMaxSpecBytes, &bytes);
  close(spec_fd);
  if (rc < 0) return failure->Set("reading the spec from fd " + std::to_string(spec_fd), -rc);
  const char* problem = nullptr;
  if (ParseExecSpec(bytes.data(), bytes.size(), spec, &problem) < 0) return failure->Set(std::string("malformed spec: ") + problem, EINVAL);
  return 0;
}

/** The confinement steps, in the order that keeps each one possible: later steps take away what earlier ones need. */
int Confine(const ExecSpec& spec, MediationChannel* mediation, Failure* failure) {
  const bool mediated = mediation->fd >= 0;
  int rc = 0;
  if (rc == 0 && spec.new_session && !mediated) rc = StartNewSession(failure);  // mediated: the supervisor did, before the fork
  if (rc == 0 && spec.new_keyring) rc = JoinFreshSessionKeyring(failure);  // before seccomp denies keyctl
  if (rc == 0) rc = SetNoNewPrivs(failure);                                // required by Landlock and seccomp
  if (rc == 0) rc = DropAllCapabilities(failure);
  if (rc == 0 && mediated) rc = HandOffConnectListener(mediation, failure);  // needs no_new_privs; closes its fds
  if (rc == 0) rc = CloseStrayFds(spec.keep_fds, failure);                 // Landlock does not revoke open fds
  if (rc == 0 && spec.has_landlock) rc = ApplyLandlock(spec.landlock, failure);
  if (rc == 0 && spec.has_seccomp) rc = InstallSeccompFilter(spec.seccomp_program, spec.seccomp_log, failure);  // last: it may deny what the steps above use
  if (rc == 0) rc = VerifyConfinement(spec.has_seccomp, failure);
  return rc;
}

}  // namespace
}  // namespace cordon

int main(int argc, char** argv) {
  using namespace cordon;
  Failure failure;
  Arguments args;
  ExecSpec spec;
  MediationChannel mediation;
  // The bridge forks before the command's confinement so that it is outside the command's Landlock
  // domain (scopes) and confines itself with its own, tighter rules (see bridge.h). With unix socket
  // mediation the process then splits: only the child returns here to become the command; the parent
  // is its supervisor (see unix_mediation.h).
  if (ParseArguments(argc, argv, &args, &failure) < 0 || ReadSpec(args.spec_fd, &spec, &failure) < 0 ||
      (!args.bridge.empty() && StartBridge(args.bridge, &failure) < 0) ||
      (spec.has_unix_mediation && StartUnixMediation(spec, &mediation, &failure) < 0) || Confine(spec, &mediation, &failure) < 0) {
    DieSetup(failure);
  }
  std::vector<char*> env;
  if (spec.has_env) {
    for (std::string& entry : spec.env) env.push_back(entry.data());
    env.push_back(nullptr);
  }
  return ExecCommand(args.command, spec.has_env ? env.data() : environ);
}
