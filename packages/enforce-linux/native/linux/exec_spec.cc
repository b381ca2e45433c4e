// Strict decoder for the encoded exec spec: every field is range-checked and nothing may follow the last one.
#include "exec_spec.h"

#include <cerrno>
#include <cstring>

namespace cordon {
namespace {

constexpr uint32_t kFlagNewSession = 1u << 0;
constexpr uint32_t kFlagNewKeyring = 1u << 1;
constexpr uint32_t kFlagLandlock = 1u << 2;
constexpr uint32_t kFlagSeccomp = 1u << 3;
constexpr uint32_t kFlagEnv = 1u << 4;
constexpr uint32_t kFlagSeccompLog = 1u << 5;
constexpr uint32_t kFlagUnixSockets = 1u << 6;
constexpr uint32_t kKnownFlags = kFlagNewSession | kFlagNewKeyring | kFlagLandlock | kFlagSeccomp | kFlagEnv | kFlagSeccompLog | kFlagUnixSockets;

constexpr uint32_t kLandlockTcpConnect = 1u << 0;
constexpr uint32_t kLandlockDenyTcpBind = 1u << 1;
constexpr uint32_t kLandlockScopeSignals = 1u << 2;
constexpr uint32_t kLandlockScopeAbstractUnix = 1u << 3;
constexpr uint32_t kLandlockLogDenials = 1u << 4;
constexpr uint32_t kKnownLandlockFlags =
    kLandlockTcpConnect | kLandlockDenyTcpBind | kLandlockScopeSignals | kLandlockScopeAbstractUnix | kLandlockLogDenials;

/** Bounds-checked little-endian cursor; the first problem sticks in `error`. */
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool U32(uint32_t* value, const char* what) {
    if (size_ - pos_ < 4) return Fail(what);
    *value = static_cast<uint32_t>(data_[pos_]) | static_cast<uint32_t>(data_[pos_ + 1]) << 8 |
             static_cast<uint32_t>(data_[pos_ + 2]) << 16 | static_cast<uint32_t>(data_[pos_ + 3]) << 24;
    pos_ += 4;
    return true;
  }

  /** A u32 within [min, max]. */
  bool Bounded(uint32_t* value, uint32_t min, uint32_t max, const char* what) {
    if (!U32(value, what)) return false;
    return (*value >= min && *value <= max) || Fail(what);
  }

  bool Bytes(size_t count, const uint8_t** bytes, const char* what) {
    if (size_ - pos_ < count) return Fail(what);
    *bytes = data_ + pos_;
    pos_ += count;
    return true;
  }

  /** A length-prefixed string of 1..max_bytes bytes without NUL. */
  bool String(uint32_t max_bytes, std::string* value, const char* what) {
    uint32_t length = 0;
    const uint8_t* bytes = nullptr;
    if (!Bounded(&length, 1, max_bytes, what) || !Bytes(length, &bytes, what)) return false;
    if (std::memchr(bytes, '\0', length) != nullptr) return Fail(what);
    value->assign(reinterpret_cast<const char*>(bytes), length);
    return true;
  }

  bool AtEnd() const { return pos_ == size_; }
  bool Fail(const char* what) {
    if (error_ == nullptr) error_ = what;
    return false;
  }
  const char* error() const { return error_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const char* error_ = nullptr;
};

bool ParseLandlock(Reader& r, LandlockSpec* ll) {
  uint32_t flags = 0;
  uint32_t count = 0;
  if (!r.Bounded(&ll->min_abi, 1, 0x7fffffff, "landlock minimum ABI out of range")) return false;
  if (!r.U32(&flags, "truncated landlock flags")) return false;
  if ((flags & ~kKnownLandlockFlags) != 0) return r.Fail("unknown landlock flag bits");
  ll->restrict_tcp_connect = (flags & kLandlockTcpConnect) != 0;
  ll->deny_tcp_bind = (flags & kLandlockDenyTcpBind) != 0;
  ll->scope_signals = (flags & kLandlockScopeSignals) != 0;
  ll->scope_abstract_unix = (flags & kLandlockScopeAbstractUnix) != 0;
  ll->log_denials = (flags & kLandlockLogDenials) != 0;
  if (!r.Bounded(&count, 0, kMaxRules, "landlock rule count out of range")) return false;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t rights = 0;
    LandlockRule rule;
    if (!r.Bounded(&rights, 1, 2, "landlock rule rights must be 1 (read) or 2 (write)")) return false;
    if (!r.String(kMaxPathBytes, &rule.path, "landlock rule path is truncated, empty, too long or contains NUL")) return false;
    if (rule.path[0] != '/') return r.Fail("landlock rule path is not absolute");
    rule.rights = static_cast<LandlockRights>(rights);
    ll->rules.push_back(std::move(rule));
  }
  if (ll->restrict_tcp_connect) {
    if (!r.Bounded(&count, 0, kMaxPorts, "TCP port count out of range")) return false;
    uint32_t previous = 0;
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t port = 0;
      if (!r.Bounded(&port, 1, 65535, "TCP port out of range")) return false;
      if (port <= previous) return r.Fail("TCP ports must be strictly increasing");
      ll->tcp_connect_ports.push_back(static_cast<uint16_t>(port));
      previous = port;
    }
  }
  return true;
}

/** "/a/b": absolute, no empty, "." or ".." component, no trailing "/" (what d_path(3) of the socket prints). */
bool IsCanonicalPath(const std::string& path) {
  if (path.size() < 2 || path[0] != '/' || path.back() == '/') return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

bool ParseUnixSockets(Reader& r, std::vector<std::string>* allow) {
  uint32_t count = 0;
  if (!r.Bounded(&count, 0, kMaxUnixSockets, "unix socket count out of range")) return false;
  for (uint32_t i = 0; i < count; ++i) {
    std::string path;
    if (!r.String(kMaxPathBytes, &path, "unix socket path is truncated, empty, too long or contains NUL")) return false;
    if (!IsCanonicalPath(path)) return r.Fail("unix socket path is not an absolute canonical path");
    for (const std::string& other : *allow) {
      if (other == path) return r.Fail("unix socket path is listed twice");
    }
    allow->push_back(std::move(path));
  }
  return true;
}

bool ParseSeccomp(Reader& r, std::vector<sock_filter>* program) {
  uint32_t length = 0;
  const uint8_t* bytes = nullptr;
  if (!r.Bounded(&length, sizeof(sock_filter), kMaxSeccompBytes, "seccomp program length out of range")) return false;
  if (length % sizeof(sock_filter) != 0) return r.Fail("seccomp program length is not a multiple of 8");
  if (!r.Bytes(length, &bytes, "truncated seccomp program")) return false;
  program->resize(length / sizeof(sock_filter));
  std::memcpy(program->data(), bytes, length);  // native byte order, as the addon produced it
  return true;
}

}  // namespace

int ParseExecSpec(const uint8_t* data, size_t size, ExecSpec* out, const char** error) {
  Reader r(data, size);
  *out = ExecSpec{};
  const uint8_t* magic = nullptr;
  uint32_t flags = 0;
  uint32_t count = 0;
  bool ok = r.Bytes(4, &magic, "truncated header") && (std::memcmp(magic, "CDX1", 4) == 0 || r.Fail("bad magic (not a cordon exec spec v1)")) &&
            r.U32(&flags, "truncated flags") && ((flags & ~kKnownFlags) == 0 || r.Fail("unknown flag bits"));
  if (ok) {
    out->new_session = (flags & kFlagNewSession) != 0;
    out->new_keyring = (flags & kFlagNewKeyring) != 0;
    out->has_landlock = (flags & kFlagLandlock) != 0;
    out->has_seccomp = (flags & kFlagSeccomp) != 0;
    out->has_env = (flags & kFlagEnv) != 0;
    out->seccomp_log = (flags & kFlagSeccompLog) != 0;
    out->has_unix_mediation = (flags & kFlagUnixSockets) != 0;
    ok = (!out->seccomp_log || out->has_seccomp || r.Fail("seccomp log flag without a seccomp program")) &&
         // Without the main filter, io_uring and datagram sockets would reach sockets past the supervisor.
         (!out->has_unix_mediation || out->has_seccomp || r.Fail("unix socket mediation without a seccomp program")) &&
         (!out->has_landlock || ParseLandlock(r, &out->landlock)) && (!out->has_seccomp || ParseSeccomp(r, &out->seccomp_program)) &&
         (!out->has_unix_mediation || ParseUnixSockets(r, &out->unix_allow)) &&
         r.Bounded(&count, 0, kMaxKeepFds, "keep-fd count out of range");
  }
  for (uint32_t i = 0; ok && i < count; ++i) {
    uint32_t fd = 0;
    ok = r.Bounded(&fd, 3, kMaxFd, "keep-fd out of range (3..2^20)") &&
         (out->keep_fds.empty() || static_cast<int>(fd) > out->keep_fds.back() || r.Fail("keep-fds must be strictly increasing"));
    if (ok) out->keep_fds.push_back(static_cast<int>(fd));
  }
  if (ok && out->has_env) {
    ok = r.Bounded(&count, 0, kMaxEnv, "environment count out of range");
    for (uint32_t i = 0; ok && i < count; ++i) {
      std::string entry;
      ok = r.String(kMaxEnvEntryBytes, &entry, "environment entry is truncated, empty, too long or contains NUL");
      const size_t equals = ok ? entry.find('=') : std::string::npos;
      ok = ok && ((equals != std::string::npos && equals > 0) || r.Fail("environment entry is not NAME=value"));
      if (ok) out->env.push_back(std::move(entry));
    }
  }
  ok = ok && (r.AtEnd() || r.Fail("trailing bytes after the spec"));
  if (!ok) {
    *error = r.error() != nullptr ? r.error() : "malformed spec";
    return -EINVAL;
  }
  return 0;
}

}  // namespace cordon
