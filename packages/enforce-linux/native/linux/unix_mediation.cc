// The fork into supervisor and command, and the command's half of the listener handoff.
#include "unix_mediation.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "seccomp_notify.h"
#include "seccomp_program.h"
#include "session.h"
#include "unix_supervisor.h"

namespace cordon {
namespace {

constexpr char kReady = '1';

int SendFd(int channel, int fd) {
  char byte = 'L';
  iovec data{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(header), &fd, sizeof fd);
  ssize_t n;
  do {
    n = sendmsg(channel, &message, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == 1 ? 0 : -(n < 0 ? errno : EIO);
}

}  // namespace

int StartUnixMediation(const ExecSpec& spec, MediationChannel* channel, Failure* failure) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return failure->Set("unix socket mediation: socketpair", errno);
  // The supervisor leads the new session and process group: the launcher signals the group, which
  // reaches the command without the supervisor relaying anything.
  if (spec.new_session && StartNewSession(failure) < 0) return -failure->err;
  const pid_t supervisor = getpid();
  const pid_t child = fork();
  if (child < 0) return failure->Set("unix socket mediation: fork", errno);
  if (child == 0) {
    close(pair[0]);
    // The command must not outlive its supervisor: its connects would then all fail.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return failure->Set("unix socket mediation: prctl(PR_SET_PDEATHSIG)", errno);
    if (getppid() != supervisor) _exit(kExitSetupFailed);  // the supervisor is already gone
    channel->fd = pair[1];
    return 0;
  }
  close(pair[1]);
  RunSupervisor(spec, child, pair[0], pair[1]);
}

int HandOffConnectListener(MediationChannel* channel, Failure* failure) {
  // The supervisor checks that it can read this process's memory (the same check as for every connect).
  g_mediation_probe = kMediationProbeMagic ^ static_cast<uint64_t>(getpid());
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) return failure->Set("unix socket mediation: prctl(PR_SET_DUMPABLE)", errno);
  std::vector<sock_filter> program;
  if (int rc = BuildConnectNotifyProgram(NativeArch(), &program); rc < 0) return failure->Set("unix socket mediation: building the connect filter", -rc);
  const int listener = InstallListenerFilter(program, failure);
  if (listener < 0) return listener;
  const int sent = SendFd(channel->fd, listener);
  close(listener);  // the command must never hold it: it could answer its own connects
  if (sent < 0) return failure->Set("unix socket mediation: handing the listener to the supervisor", -sent);
  char byte = 0;
  ssize_t n;
  do {
    n = read(channel->fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  close(channel->fd);
  channel->fd = -1;
  if (n != 1 || byte != kReady) return failure->Set("unix socket mediation: the supervisor did not start", n < 0 ? errno : ECHILD);
  return 0;
}

}  // namespace cordon
