// A marker record for the audit stream: proof that every record queued before it has been delivered.
#pragma once

namespace cordon {

/**
 * Starts a short-lived child that installs a logging seccomp filter, makes one denied syscall (so the
 * kernel queues an AUDIT_SECCOMP record carrying the child's pid) and exits. The kernel delivers audit
 * records in queue order, so once the marker arrives every record the sandbox caused has arrived too.
 * `log_errno`: the kernel logs errno actions (actions_logged has "errno"); else the filter uses RET_LOG.
 * Returns the child's pid (already reaped) or -errno.
 */
int EmitAuditMarker(bool log_errno);

}  // namespace cordon
