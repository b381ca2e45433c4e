// Supervisor process: setup and self-confinement, the poll(2) loop over the listener, its children and
// parked connects, and mirroring the command's exit.
#include "unix_supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "connect_mediator.h"
#include "fd_hygiene.h"
#include "privileges.h"
#include "seccomp_apply.h"
#include "seccomp_notify.h"
#include "seccomp_program.h"
#include "supervisor_log.h"
#include "target_access.h"

namespace cordon {

volatile uint64_t g_mediation_probe = 0;

namespace {

/** Setup failed: the command has not run its command yet (it waits for "ready"). */
[[noreturn]] void DieBeforeReady(pid_t command, const char* what, int err) {
  SupervisorPrint(what, err);
  kill(command, SIGKILL);
  while (waitpid(command, nullptr, 0) < 0 && errno == EINTR) {
  }
  _exit(kExitSetupFailed);
}

/** Exits the way the command did: same code, or the same signal re-raised (128+N if it cannot be). */
[[noreturn]] void MirrorExit(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  sigprocmask(SIG_UNBLOCK, &one, nullptr);
  kill(getpid(), sig);
  _exit(128 + sig);
}

/** Receives the listener (SCM_RIGHTS); returns it, 0 on EOF (the command failed before the handoff), or -errno. */
int ReceiveListener(int channel) {
  char byte = 0;
  iovec data{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = recvmsg(channel, &message, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  if (n == 0) return 0;
  const cmsghdr* header = CMSG_FIRSTHDR(&message);
  if (header == nullptr || header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS || header->cmsg_len != CMSG_LEN(sizeof(int)) ||
      (message.msg_flags & MSG_CTRUNC) != 0) {
    return -EPROTO;
  }
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
  return fd;
}

/** Waits for the command (which failed before the handoff and said why) and exits as it did. */
[[noreturn]] void FollowFailedCommand(pid_t command) {
  int status = 0;
  while (waitpid(command, &status, 0) < 0) {
    if (errno != EINTR) _exit(kExitSetupFailed);
  }
  MirrorExit(status);
}

/** The checks that every connect() will need, made once on the command so that a failure stops it here. */
void CheckAccess(pid_t command, int command_channel) {
  uint64_t seen = 0;
  const int rc = ReadTargetMemory(command, reinterpret_cast<uintptr_t>(&g_mediation_probe), &seen, sizeof seen);
  if (rc < 0) DieBeforeReady(command, "cannot read the command's memory (ptrace access denied: Yama ptrace_scope >= 2, or an LSM)", -rc);
  if (seen != (kMediationProbeMagic ^ static_cast<uint64_t>(command))) DieBeforeReady(command, "reading the command's memory gave a wrong value", EIO);
  const int pidfd = OpenTargetPidfd(command);
  if (pidfd < 0) DieBeforeReady(command, "pidfd_open on the command", -pidfd);
  const int copy = DuplicateTargetFd(pidfd, command_channel);  // open in the command while it waits for "ready"
  if (copy < 0) DieBeforeReady(command, "pidfd_getfd on the command", -copy);
  close(copy);
  close(pidfd);
  // Connects go through /proc/self/fd/N: /proc must be this pid namespace's procfs.
  const int root = openat(AT_FDCWD, "/", O_PATH | O_CLOEXEC);
  char path[16];
  if (root < 0 || CanonicalPathOf(root, path, sizeof path) < 0 || std::strcmp(path, "/") != 0) {
    DieBeforeReady(command, "unix socket mediation needs /proc (for /proc/self/fd)", root < 0 ? errno : ENOENT);
  }
  close(root);
}

/** no_new_privs, no capabilities, stdin/stdout on /dev/null, only `keep` open, then the allowlist filter. */
void Confine(pid_t command, std::vector<int> keep) {
  Failure failure;
  if (CheckNotificationSizes(&failure) < 0 || SetNoNewPrivs(&failure) < 0 || DropAllCapabilities(&failure) < 0) {
    DieBeforeReady(command, failure.what.c_str(), failure.err);
  }
  // stdin/stdout belong to the command; stderr stays for diagnostics.
  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd <= 1; ++fd) {
    if (null_fd < 0 || dup2(null_fd, fd) < 0) close(fd);
  }
  if (null_fd > 2) close(null_fd);
  std::sort(keep.begin(), keep.end());
  if (CloseStrayFds(keep, &failure) < 0) DieBeforeReady(command, failure.what.c_str(), failure.err);
  std::vector<sock_filter> program;
  if (int rc = BuildSupervisorSeccompProgram(NativeArch(), command, getpid(), &program); rc < 0) DieBeforeReady(command, "building the supervisor's seccomp filter", -rc);
  if (InstallSeccompFilter(program, &failure) < 0) DieBeforeReady(command, failure.what.c_str(), failure.err);
}

/** Reaps every exited child (orphans are re-parented here); exits like the command once it is gone. */
void Reap(int signal_fd, pid_t command) {
  signalfd_siginfo info;
  while (read(signal_fd, &info, sizeof info) == sizeof info) {
  }
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == command) MirrorExit(status);
  }
}

[[noreturn]] void Serve(int listener, int signal_fd, pid_t command, ConnectMediator& mediator) {
  pollfd fds[2 + ConnectMediator::kMaxParked];
  bool listening = true;
  for (;;) {
    fds[0] = pollfd{listening ? listener : -1, POLLIN, 0};
    fds[1] = pollfd{signal_fd, POLLIN, 0};
    const size_t parked = mediator.FillPollFds(fds + 2);
    const int timeout_ms = mediator.PollTimeoutMs();
    timespec timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
    if (ppoll(fds, 2 + parked, timeout_ms < 0 ? nullptr : &timeout, nullptr) < 0) {
      if (errno == EINTR) continue;
      SupervisorPrint("poll", errno);
      _exit(kExitSetupFailed);  // the listener closes with us: remaining connects fail with ENOSYS
    }
    if (fds[1].revents != 0) Reap(signal_fd, command);
    if ((fds[0].revents & POLLIN) != 0) {
      NotificationBuffer buffer;
      if (ReceiveNotification(listener, &buffer) == 0) mediator.Handle(buffer.notif);  // ENOENT: the task was interrupted
    } else if ((fds[0].revents & (POLLHUP | POLLERR)) != 0) {
      listening = false;  // no task uses the filter any more; wait for the command's exit status
    }
    mediator.Progress(fds + 2, parked);
  }
}

}  // namespace

void RunSupervisor(const ExecSpec& spec, pid_t command, int channel, int command_channel) {
  // Signals to the process group reach the command directly; the supervisor only waits for SIGCHLD.
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  sigset_t child;
  sigemptyset(&child);
  sigaddset(&child, SIGCHLD);
  const int signal_fd = signalfd(-1, &child, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) DieBeforeReady(command, "signalfd", errno);
  // Orphaned descendants stay descendants (Yama ptrace_scope 1 allows access to descendants only).
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) DieBeforeReady(command, "prctl(PR_SET_CHILD_SUBREAPER)", errno);
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) DieBeforeReady(command, "prctl(PR_SET_DUMPABLE)", errno);

  const int listener = ReceiveListener(channel);
  if (listener == 0) FollowFailedCommand(command);
  if (listener < 0) DieBeforeReady(command, "receiving the listener from the command", -listener);
  CheckAccess(command, command_channel);

  MediationPolicy policy;
  policy.allow = spec.unix_allow;
  policy.restrict_tcp = spec.has_landlock && spec.landlock.restrict_tcp_connect;
  policy.tcp_ports = spec.landlock.tcp_connect_ports;
  ConnectMediator mediator(listener, policy);  // allocates nothing once constructed

  Confine(command, {channel, listener, signal_fd});
  if (write(channel, "1", 1) != 1) DieBeforeReady(command, "signalling readiness to the command", errno);
  close(channel);
  Serve(listener, signal_fd, command, mediator);
}

}  // namespace cordon
