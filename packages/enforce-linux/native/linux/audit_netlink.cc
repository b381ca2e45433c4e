// Opening and querying the audit and process-event netlink sockets used by the denial collector.
#include "audit_netlink.h"

#include <linux/audit.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cordon {
namespace {

// A large receive buffer: records from the whole system arrive here, and an overflow loses them.
constexpr int kReceiveBufferBytes = 8 << 20;

int CloseWith(int fd, int err) {
  close(fd);
  return -err;
}

void GrowReceiveBuffer(int fd) {
  // SO_RCVBUFFORCE needs CAP_NET_ADMIN; SO_RCVBUF is capped by net.core.rmem_max. Best effort: an overflow is reported.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBufferBytes, sizeof kReceiveBufferBytes) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBufferBytes, sizeof kReceiveBufferBytes);
  }
}

/** Sends the process-events LISTEN/IGNORE control message: nlmsghdr, cn_msg, then the op. */
int SendProcControl(int fd, proc_cn_mcast_op op) {
  alignas(nlmsghdr) unsigned char request[NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_cn_mcast_op))] = {};
  auto* header = reinterpret_cast<nlmsghdr*>(request);
  header->nlmsg_len = sizeof request;
  header->nlmsg_type = NLMSG_DONE;
  auto* message = static_cast<cn_msg*>(NLMSG_DATA(header));
  message->id.idx = CN_IDX_PROC;
  message->id.val = CN_VAL_PROC;
  message->len = sizeof(proc_cn_mcast_op);
  std::memcpy(message->data, &op, sizeof op);
  return send(fd, request, sizeof request, 0) == static_cast<ssize_t>(sizeof request) ? 0 : -errno;
}

}  // namespace

int QueryAuditStatus(AuditStatus* out) {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return -errno;
  const timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  nlmsghdr request{};
  request.nlmsg_len = NLMSG_LENGTH(0);
  request.nlmsg_type = AUDIT_GET;
  request.nlmsg_flags = NLM_F_REQUEST;
  request.nlmsg_seq = 1;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, &request, request.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) return CloseWith(fd, errno);
  alignas(nlmsghdr) char buffer[8192];
  for (;;) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0) return CloseWith(fd, errno);
    size_t remaining = static_cast<size_t>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(h, remaining); h = NLMSG_NEXT(h, remaining)) {
      if (h->nlmsg_type == NLMSG_ERROR) {
        const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        if (error->error != 0) return CloseWith(fd, -error->error);
        continue;  // an ACK; the status follows
      }
      if (h->nlmsg_type != AUDIT_GET) continue;
      audit_status status{};
      // Older kernels send a shorter struct: copy what arrived.
      const size_t length = std::min(static_cast<size_t>(h->nlmsg_len - NLMSG_HDRLEN), sizeof status);
      std::memcpy(&status, NLMSG_DATA(h), length);
      out->enabled = status.enabled;
      out->lost = status.lost;
      out->backlog_limit = status.backlog_limit;
      out->rate_limit = status.rate_limit;
      out->auditd_pid = status.pid;
      close(fd);
      return 0;
    }
  }
}

int OpenAuditLogSocket() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
  if (fd < 0) return -errno;
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return CloseWith(fd, errno);
  GrowReceiveBuffer(fd);
  return fd;
}

int OpenProcEventsSocket() {
  const int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
  if (fd < 0) return -errno;
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = CN_IDX_PROC;
  address.nl_pid = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return CloseWith(fd, errno);
  GrowReceiveBuffer(fd);
  if (int rc = SendProcControl(fd, PROC_CN_MCAST_LISTEN); rc < 0) return CloseWith(fd, -rc);
  return fd;
}

void CloseProcEventsSocket(int fd) {
  if (fd < 0) return;
  SendProcControl(fd, PROC_CN_MCAST_IGNORE);
  close(fd);
}

}  // namespace cordon
