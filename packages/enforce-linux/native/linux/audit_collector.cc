// The collector's reader thread: poll() on the audit socket, the process-events socket and a wake-up eventfd.
#include "audit_collector.h"

#include <linux/audit.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "audit_netlink.h"

namespace cordon {
namespace {

// Landlock audit record types (Linux 6.15, include/uapi/linux/audit.h); older headers lack them.
constexpr uint16_t kAuditLandlockAccess = 1423;
constexpr uint16_t kAuditLandlockDomain = 1424;
// Bounds on what one run keeps (a runaway command must not exhaust cordon's memory).
constexpr size_t kMaxRecords = 65536;
constexpr size_t kMaxForks = 1 << 20;
// The kernel caps one record's text (MAX_AUDIT_MESSAGE_LENGTH in libaudit is 8970).
constexpr size_t kMaxRecordBytes = 8970;
// proc_event.what values (the enum's name differs between header versions).
constexpr uint32_t kProcEventNone = 0x0;
constexpr uint32_t kProcEventFork = 0x1;

/** pid= value of an audit record's text, or -1. */
int PidOf(const std::string& text) {
  const size_t at = text.find(" pid=");
  if (at == std::string::npos) return -1;
  return std::atoi(text.c_str() + at + 5);
}

}  // namespace

bool AuditCollector::IsRelevant(uint16_t type) {
  return type == AUDIT_SECCOMP || type == kAuditLandlockAccess || type == kAuditLandlockDomain;
}

AuditCollector::~AuditCollector() {
  if (running()) Stop();
}

int AuditCollector::Start(const char** step) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    *step = "eventfd";
    return -errno;
  }
  audit_fd_ = OpenAuditLogSocket();
  if (audit_fd_ < 0) {
    *step = "audit log socket";
    const int rc = audit_fd_;
    close(wake_fd_);
    wake_fd_ = audit_fd_ = -1;
    return rc;
  }
  proc_fd_ = OpenProcEventsSocket();
  if (proc_fd_ < 0) {
    *step = "process events socket";
    const int rc = proc_fd_;
    close(audit_fd_);
    close(wake_fd_);
    wake_fd_ = audit_fd_ = proc_fd_ = -1;
    return rc;
  }
  thread_ = std::thread(&AuditCollector::Run, this);
  return 0;
}

void AuditCollector::Run() {
  pollfd fds[3] = {{audit_fd_, POLLIN, 0}, {proc_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) DrainAudit();
    if (fds[1].revents != 0) DrainProcEvents();
    if (fds[2].revents != 0) break;
  }
  // Stop() is called after the command exited: take what is already queued, then finish.
  DrainAudit();
  DrainProcEvents();
}

void AuditCollector::DrainAudit() {
  alignas(nlmsghdr) static thread_local char buffer[kMaxRecordBytes + NLMSG_HDRLEN + 64];
  for (;;) {
    const ssize_t n = recv(audit_fd_, buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        const std::lock_guard<std::mutex> lock(mutex_);
        collected_.audit_overflows += 1;
        continue;
      }
      return;  // EAGAIN: drained
    }
    // One record per datagram; the header's length excludes the payload on this socket, so use what arrived.
    if (static_cast<size_t>(n) < NLMSG_HDRLEN) continue;
    const auto* header = reinterpret_cast<const nlmsghdr*>(buffer);
    if (!IsRelevant(header->nlmsg_type)) continue;
    size_t length = static_cast<size_t>(n) - NLMSG_HDRLEN;
    const char* text = buffer + NLMSG_HDRLEN;
    while (length > 0 && (text[length - 1] == '\0' || text[length - 1] == '\n')) --length;
    AuditRecord record{header->nlmsg_type, std::string(text, length)};
    const std::lock_guard<std::mutex> lock(mutex_);
    if (record.type == AUDIT_SECCOMP) seccomp_pids_.push_back(PidOf(record.text));
    if (collected_.records.size() >= kMaxRecords) {
      collected_.records_over_cap += 1;
    } else {
      collected_.records.push_back(std::move(record));
    }
  }
}

void AuditCollector::DrainProcEvents() {
  alignas(nlmsghdr) static thread_local char buffer[8192];
  for (;;) {
    const ssize_t n = recv(proc_fd_, buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        const std::lock_guard<std::mutex> lock(mutex_);
        collected_.fork_overflows += 1;
        continue;
      }
      return;
    }
    size_t remaining = static_cast<size_t>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(h, remaining); h = NLMSG_NEXT(h, remaining)) {
      const auto* message = static_cast<const cn_msg*>(NLMSG_DATA(h));
      if (h->nlmsg_len < NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_event)) || message->id.idx != CN_IDX_PROC) continue;
      const auto* event = reinterpret_cast<const proc_event*>(message->data);
      const std::lock_guard<std::mutex> lock(mutex_);
      if (static_cast<uint32_t>(event->what) == kProcEventNone) {
        // The subscription's acknowledgement: err is an errno (EPERM without CAP_NET_ADMIN).
        if (event->event_data.ack.err != 0) collected_.proc_events_error = static_cast<int>(event->event_data.ack.err);
      } else if (static_cast<uint32_t>(event->what) == kProcEventFork) {
        if (collected_.forks.size() >= kMaxForks) {
          collected_.fork_overflows += 1;
        } else {
          collected_.forks.push_back({event->event_data.fork.parent_tgid, event->event_data.fork.child_pid, event->event_data.fork.child_tgid});
        }
      }
    }
  }
}

bool AuditCollector::SawSeccompFrom(int pid) {
  const std::lock_guard<std::mutex> lock(mutex_);
  for (int seen : seccomp_pids_) {
    if (seen == pid) return true;
  }
  return false;
}

CollectedAudit AuditCollector::Stop() {
  if (!running()) return {};
  const uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof one) < 0) {
    // An eventfd write only fails on overflow, which one write cannot cause; the join below still ends the thread.
  }
  thread_.join();
  close(audit_fd_);
  CloseProcEventsSocket(proc_fd_);
  close(wake_fd_);
  audit_fd_ = proc_fd_ = wake_fd_ = -1;
  const std::lock_guard<std::mutex> lock(mutex_);
  CollectedAudit result = std::move(collected_);
  collected_ = CollectedAudit{};
  seccomp_pids_.clear();
  return result;
}

}  // namespace cordon
