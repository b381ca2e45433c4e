// Capability and no_new_privs handling via raw capget/capset/prctl (no libcap dependency).
#include "privileges.h"

#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace cordon {
namespace {

constexpr int kMaxCapability = 63;  // capability sets are 64 bits wide

struct CapSets {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
};

int GetCaps(CapSets* caps) {
  return syscall(SYS_capget, &caps->header, caps->data) == 0 ? 0 : -errno;
}

bool HasEffective(const CapSets& caps, int cap) {
  return (caps.data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

}  // namespace

int SetNoNewPrivs(Failure* failure) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return failure->Set("prctl(PR_SET_NO_NEW_PRIVS)", errno);
  return 0;
}

int DropAllCapabilities(Failure* failure) {
  CapSets caps;
  if (GetCaps(&caps) < 0) return failure->Set("capget", errno);
  const bool can_setpcap = HasEffective(caps, CAP_SETPCAP);

  // EINVAL: a kernel without ambient capabilities (< 4.3) has none to clear.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return failure->Set("prctl(PR_CAP_AMBIENT_CLEAR_ALL)", errno);
  }
  if (can_setpcap) {
    for (int cap = 0; cap <= kMaxCapability; ++cap) {
      const int present = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
      if (present < 0) break;  // EINVAL past the kernel's last capability
      if (present == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
        return failure->Set("prctl(PR_CAPBSET_DROP, " + std::to_string(cap) + ")", errno);
      }
    }
    // uid 0 gains nothing from execve, and nobody can re-raise ambient capabilities.
    const unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                               SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) return failure->Set("prctl(PR_SET_SECUREBITS)", errno);
  }
  CapSets empty;
  if (syscall(SYS_capset, &empty.header, empty.data) != 0) return failure->Set("capset", errno);
  if (!CapabilitySetsEmpty()) return failure->Set("capabilities are still held after capset", EPERM);
  return 0;
}

bool CapabilitySetsEmpty() {
  CapSets caps;
  if (GetCaps(&caps) < 0) return false;
  for (const auto& word : caps.data) {
    if (word.effective != 0 || word.permitted != 0 || word.inheritable != 0) return false;
  }
  for (int cap = 0; cap <= kMaxCapability; ++cap) {
    const int raised = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
    if (raised < 0) break;  // EINVAL past the last capability (or no ambient support)
    if (raised == 1) return false;
  }
  return true;
}

}  // namespace cordon
