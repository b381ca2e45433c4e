// Unix socket mediation: only the allowlisted pathname unix sockets are reachable from the sandbox
// (policy.md 5, NET-14..16, PROC-11/12), although the command may create AF_UNIX sockets.
// See: man 2 seccomp_unotify, man 2 pidfd_getfd, man 2 process_vm_readv, man 2 prctl, man 7 unix.
//
// Design. cordon-exec forks before it confines itself; the CHILD becomes the command, the PARENT stays
// as the supervisor (the pid the launcher waits for, exiting with the command's status):
//  - the command installs, besides its main filter, a filter that sends every connect(2) to a listener
//    (SECCOMP_RET_USER_NOTIF) and passes the listener to the supervisor over a socketpair (SCM_RIGHTS),
//    keeping no copy; then it waits until the supervisor is confined before it goes on;
//  - the supervisor answers each connect itself (connect_mediator.h): it connects the task's own socket
//    to the address it copied and checked, so nothing the task changes afterwards matters. Unix datagram
//    sockets, which reach paths with sendto(2), cannot be created (main filter), nor io_uring, nor a
//    listener of the command's own (which would take precedence and could answer "continue");
//  - being an ANCESTOR of every sandboxed process (and a child subreaper, so orphans stay descendants)
//    is what lets it read their memory and duplicate their fds under Yama ptrace_scope 1. For the same
//    reason it has NO Landlock domain (Landlock denies ptrace-mode access to a task outside the caller's
//    domain); it is confined by an allowlist seccomp filter instead (no file I/O: openat only O_PATH and
//    directory reads), no capabilities, no_new_privs, and only its listener, a signalfd and stderr;
//  - it is non-dumpable, so the command cannot ptrace it or read its memory; the command's own filter
//    denies ptrace/process_vm_*/pidfd_getfd; with landlock.scopeSignals it cannot signal it either;
//  - if it dies anyway, every connect() of the remaining tasks fails with ENOSYS (the kernel's answer
//    when a listener is gone) — never unmediated — and the command itself gets SIGKILL (death signal);
//  - it leads the session (newSession) and process group, so signals sent to the group reach the command
//    and its process group directly; it blocks them itself, and mirrors the command's exit (code or signal).
// Limits: the server sees the supervisor's pid in SO_PEERCRED (same uid/gid); a program that is not
// readable (execute-only) or makes itself non-dumpable cannot be read, so its connects get EACCES.
#pragma once

#include "exec_spec.h"
#include "failure.h"

namespace cordon {

/** The command's end of the channel to its supervisor (-1 when unix sockets are not mediated). */
struct MediationChannel {
  int fd = -1;
};

/**
 * Splits off the supervisor (starting the new session first when the spec asks for one). Returns 0 in
 * the child, which goes on to become the command; the parent never returns (it serves and exits with the
 * command's status, or 125 when its own setup fails). Returns -errno when nothing could be forked.
 */
int StartUnixMediation(const ExecSpec& spec, MediationChannel* channel, Failure* failure);

/**
 * In the command (after no_new_privs): installs the connect-notify filter, hands its listener to the
 * supervisor, closes every copy of it and of the channel, and waits until the supervisor reports that it
 * is confined. Returns 0 or -errno.
 */
int HandOffConnectListener(MediationChannel* channel, Failure* failure);

}  // namespace cordon
