// The exec spec cordon-exec applies (mirror of src/exec-spec.ts) and its strict binary decoder.
// The wire format is documented in src/exec-spec-encode.ts.
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cordon {

// Limits; keep in step with EXEC_SPEC_LIMITS in src/exec-spec-encode.ts.
constexpr size_t kMaxSpecBytes = 64u << 20;
constexpr uint32_t kMaxRules = 65536;
constexpr uint32_t kMaxPathBytes = 4095;
constexpr uint32_t kMaxPorts = 65535;
constexpr uint32_t kMaxSeccompBytes = 4096 * 8;
constexpr uint32_t kMaxKeepFds = 1024;
constexpr uint32_t kMaxFd = 1u << 20;
constexpr uint32_t kMaxEnv = 65536;
constexpr uint32_t kMaxEnvEntryBytes = 1u << 20;
constexpr uint32_t kMaxUnixSockets = 1024;

enum class LandlockRights : uint32_t { kRead = 1, kWrite = 2 };

struct LandlockRule {
  LandlockRights rights;
  std::string path;
};

struct LandlockSpec {
  uint32_t min_abi = 0;
  std::vector<LandlockRule> rules;
  bool restrict_tcp_connect = false;        // tcpConnectPorts !== null
  std::vector<uint16_t> tcp_connect_ports;  // allowed ports when restrict_tcp_connect
  bool deny_tcp_bind = false;
  bool scope_signals = false;
  bool scope_abstract_unix = false;
  bool log_denials = false;
};

struct ExecSpec {
  bool new_session = false;
  bool new_keyring = false;
  bool has_landlock = false;
  LandlockSpec landlock;
  bool has_seccomp = false;
  bool seccomp_log = false;  // install with SECCOMP_FILTER_FLAG_LOG (--log-denials)
  std::vector<sock_filter> seccomp_program;
  bool has_unix_mediation = false;      // connect(2) is decided by the supervisor (unix_mediation.h)
  std::vector<std::string> unix_allow;  // canonical absolute socket paths reachable through it
  std::vector<int> keep_fds;  // strictly increasing, each >= 3
  bool has_env = false;
  std::vector<std::string> env;  // "NAME=value"
};

/**
 * Decodes `size` bytes into `out`. Returns 0, or -EINVAL with `*error` naming the first problem
 * (bad magic, unknown flag bits, a value out of range, truncation, trailing bytes).
 */
int ParseExecSpec(const uint8_t* data, size_t size, ExecSpec* out, const char** error);

}  // namespace cordon
