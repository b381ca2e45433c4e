// Kernel sockets the denial log reads: the audit status query (AUDIT_GET), the read-only audit multicast
// group (AUDIT_NLGRP_READLOG, needs CAP_AUDIT_READ) and the process-events connector (fork events, needs
// CAP_NET_ADMIN). See: man 7 netlink, linux/audit.h, linux/cn_proc.h.
#pragma once

#include <cstdint>

namespace cordon {

/** What AUDIT_GET reports (the subset the denial log needs). */
struct AuditStatus {
  uint32_t enabled = 0;        // 0 off, 1 on, 2 on and locked
  uint32_t lost = 0;           // records the kernel dropped since boot (backlog or rate limit)
  uint32_t backlog_limit = 0;  // queued records before the kernel drops
  uint32_t rate_limit = 0;     // records per second, 0 = unlimited
  uint32_t auditd_pid = 0;     // 0 when no audit daemon is registered
};

/** Queries the kernel audit status. Returns 0 or -errno (EPERM without CAP_AUDIT_CONTROL or outside the initial pid namespace). */
int QueryAuditStatus(AuditStatus* out);

/** Opens a non-blocking NETLINK_AUDIT socket bound to the read-only log group. Returns the fd or -errno. */
int OpenAuditLogSocket();

/** Opens a non-blocking connector socket subscribed to process events. Returns the fd or -errno. */
int OpenProcEventsSocket();

/** Unsubscribes (so the kernel stops building events when nobody listens) and closes the socket. */
void CloseProcEventsSocket(int fd);

}  // namespace cordon
