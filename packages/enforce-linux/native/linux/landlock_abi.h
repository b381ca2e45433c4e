// Landlock UAPI constants and structs up to ABI 7, defined here because the build hosts' kernel headers may be older.
// See: man 7 landlock, man 2 landlock_create_ruleset, man 2 landlock_add_rule, man 2 landlock_restrict_self.
#pragma once

#include <cstdint>

namespace cordon {
namespace landlock {

// landlock_create_ruleset() flags.
constexpr uint32_t kCreateRulesetVersion = 1u << 0;

// landlock_add_rule() rule types.
constexpr int kRulePathBeneath = 1;
constexpr int kRuleNetPort = 2;  // ABI >= 4

// Filesystem access rights; the comment names the ABI that introduced each one.
constexpr uint64_t kFsExecute = 1ull << 0;      // 1
constexpr uint64_t kFsWriteFile = 1ull << 1;    // 1
constexpr uint64_t kFsReadFile = 1ull << 2;     // 1
constexpr uint64_t kFsReadDir = 1ull << 3;      // 1
constexpr uint64_t kFsRemoveDir = 1ull << 4;    // 1
constexpr uint64_t kFsRemoveFile = 1ull << 5;   // 1
constexpr uint64_t kFsMakeChar = 1ull << 6;     // 1
constexpr uint64_t kFsMakeDir = 1ull << 7;      // 1
constexpr uint64_t kFsMakeReg = 1ull << 8;      // 1
constexpr uint64_t kFsMakeSock = 1ull << 9;     // 1
constexpr uint64_t kFsMakeFifo = 1ull << 10;    // 1
constexpr uint64_t kFsMakeBlock = 1ull << 11;   // 1
constexpr uint64_t kFsMakeSym = 1ull << 12;     // 1
constexpr uint64_t kFsRefer = 1ull << 13;       // 2
constexpr uint64_t kFsTruncate = 1ull << 14;    // 3
constexpr uint64_t kFsIoctlDev = 1ull << 15;    // 5

// Network access rights (ABI >= 4).
constexpr uint64_t kNetBindTcp = 1ull << 0;
constexpr uint64_t kNetConnectTcp = 1ull << 1;

// Scopes (ABI >= 6).
constexpr uint64_t kScopeAbstractUnixSocket = 1ull << 0;
constexpr uint64_t kScopeSignal = 1ull << 1;

// landlock_restrict_self() flags (ABI >= 7).
constexpr uint32_t kRestrictSelfLogSameExecOff = 1u << 0;
constexpr uint32_t kRestrictSelfLogNewExecOn = 1u << 1;
constexpr uint32_t kRestrictSelfLogSubdomainsOff = 1u << 2;

/** Highest ABI whose rights this build knows; newer kernels get these rights handled, not their new ones. */
constexpr int kHighestKnownAbi = 7;

/** Rights a path-beneath rule may carry on a non-directory (the kernel rejects directory rights there). */
constexpr uint64_t kFsFileRights = kFsExecute | kFsWriteFile | kFsReadFile | kFsTruncate | kFsIoctlDev;

/** Read access as the policy means it: read files, list directories, execute. */
constexpr uint64_t kFsReadRights = kFsReadFile | kFsReadDir | kFsExecute;

/** Every filesystem right that Landlock ABI `abi` can handle (0 for abi < 1). */
constexpr uint64_t FsRightsForAbi(int abi) {
  return abi < 1   ? 0
         : abi < 2 ? (kFsMakeSym << 1) - 1
         : abi < 3 ? (kFsRefer << 1) - 1
         : abi < 5 ? (kFsTruncate << 1) - 1
                   : (kFsIoctlDev << 1) - 1;
}

struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI >= 4
  uint64_t scoped;              // ABI >= 6
};

/** Size of RulesetAttr that ABI `abi` understands (older kernels reject unknown trailing fields). */
constexpr unsigned long RulesetAttrSizeForAbi(int abi) {
  return abi >= 6 ? sizeof(RulesetAttr) : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
}

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

struct NetPortAttr {
  uint64_t allowed_access;
  uint64_t port;
};

}  // namespace landlock
}  // namespace cordon
