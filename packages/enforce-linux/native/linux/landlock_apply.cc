// Landlock enforcement: ABI/feature checks, ruleset creation, path-beneath and TCP port rules, restrict_self.
#include "landlock_apply.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "kernel_probe.h"
#include "landlock_abi.h"

namespace cordon {
namespace {

/** Closes an fd when it goes out of scope. */
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

/** Refuses features the running ABI does not have (FC-01): printing which rule needs which ABI. */
int CheckAbi(const LandlockSpec& spec, int abi, Failure* failure) {
  if (abi == 0) return failure->Set("Landlock is not available in this kernel (need ABI " + std::to_string(spec.min_abi) + ")", EOPNOTSUPP);
  if (static_cast<uint32_t>(abi) < spec.min_abi) {
    return failure->Set("Landlock ABI " + std::to_string(abi) + " is lower than the required " + std::to_string(spec.min_abi), EOPNOTSUPP);
  }
  const auto need = [&](int required, const char* feature) {
    return abi >= required ? 0 : failure->Set(std::string(feature) + " needs Landlock ABI " + std::to_string(required) + ", kernel has " + std::to_string(abi), EOPNOTSUPP);
  };
  int rc = 0;
  if (rc == 0 && (spec.restrict_tcp_connect || spec.deny_tcp_bind)) rc = need(4, "TCP port rules");
  if (rc == 0 && (spec.scope_signals || spec.scope_abstract_unix)) rc = need(6, "signal/abstract-socket scopes");
  if (rc == 0 && spec.log_denials) rc = need(7, "denial logging");
  return rc;
}

int AddPathRule(int ruleset_fd, const LandlockRule& rule, uint64_t handled_fs, Failure* failure) {
  // Rule paths should be canonical: symlinks are followed here, as open(2) would.
  const ScopedFd path_fd(open(rule.path.c_str(), O_PATH | O_CLOEXEC));
  if (path_fd.get() < 0) return failure->Set("Landlock rule path " + rule.path, errno);
  struct stat st {};
  if (fstat(path_fd.get(), &st) != 0) return failure->Set("Landlock rule path " + rule.path, errno);
  uint64_t rights = rule.rights == LandlockRights::kRead ? landlock::kFsReadRights : handled_fs;
  if (!S_ISDIR(st.st_mode)) rights &= landlock::kFsFileRights;  // directory rights on a file are EINVAL
  landlock::PathBeneathAttr attr{rights & handled_fs, path_fd.get()};
  if (syscall(SYS_landlock_add_rule, ruleset_fd, landlock::kRulePathBeneath, &attr, 0) != 0) {
    return failure->Set("landlock_add_rule " + rule.path, errno);
  }
  return 0;
}

uint32_t RestrictSelfFlags(const LandlockSpec& spec, int abi) {
  if (abi < 7) return 0;
  // The helper's own denials (PATH search before execve) are noise; the command's are what --log-denials asks for.
  return landlock::kRestrictSelfLogSameExecOff | (spec.log_denials ? landlock::kRestrictSelfLogNewExecOn : 0);
}

}  // namespace

int ApplyLandlock(const LandlockSpec& spec, Failure* failure) {
  const int abi = LandlockAbi();
  if (int rc = CheckAbi(spec, abi, failure); rc < 0) return rc;

  const uint64_t handled_fs = landlock::FsRightsForAbi(std::min(abi, landlock::kHighestKnownAbi));
  landlock::RulesetAttr ruleset{};
  ruleset.handled_access_fs = handled_fs;
  ruleset.handled_access_net = (spec.restrict_tcp_connect ? landlock::kNetConnectTcp : 0) | (spec.deny_tcp_bind ? landlock::kNetBindTcp : 0);
  ruleset.scoped = (spec.scope_abstract_unix ? landlock::kScopeAbstractUnixSocket : 0) | (spec.scope_signals ? landlock::kScopeSignal : 0);
  const ScopedFd ruleset_fd(static_cast<int>(syscall(SYS_landlock_create_ruleset, &ruleset, landlock::RulesetAttrSizeForAbi(abi), 0)));
  if (ruleset_fd.get() < 0) return failure->Set("landlock_create_ruleset", errno);

  for (const LandlockRule& rule : spec.rules) {
    if (int rc = AddPathRule(ruleset_fd.get(), rule, handled_fs, failure); rc < 0) return rc;
  }
  if (spec.restrict_tcp_connect) {
    for (uint16_t port : spec.tcp_connect_ports) {
      landlock::NetPortAttr attr{landlock::kNetConnectTcp, port};
      if (syscall(SYS_landlock_add_rule, ruleset_fd.get(), landlock::kRuleNetPort, &attr, 0) != 0) {
        return failure->Set("landlock_add_rule TCP port " + std::to_string(port), errno);
      }
    }
  }
  if (syscall(SYS_landlock_restrict_self, ruleset_fd.get(), RestrictSelfFlags(spec, abi)) != 0) {
    return failure->Set("landlock_restrict_self", errno);
  }
  return 0;
}

}  // namespace cordon
