// Collects, on a background thread, the kernel audit records the denial log needs (seccomp, Landlock
// access and domain records) and every fork event, so that the launcher can attribute records to the
// sandbox's process tree after the command exits.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cordon {

/** One audit record: its type (e.g. 1326 AUDIT_SECCOMP) and its text ("audit(…): key=value …"). */
struct AuditRecord {
  uint16_t type;
  std::string text;
};

/** A fork (or thread creation) seen by the process-events connector: host pids. */
struct ForkEvent {
  int32_t parent_tgid;
  int32_t child_pid;
  int32_t child_tgid;
};

/** What the collector gathered, and how much of it it may have missed. */
struct CollectedAudit {
  std::vector<AuditRecord> records;
  std::vector<ForkEvent> forks;
  uint32_t audit_overflows = 0;  // ENOBUFS on the audit socket: records were lost
  uint32_t fork_overflows = 0;   // ENOBUFS on the process-events socket: fork events were lost
  uint32_t records_over_cap = 0; // relevant records dropped because the buffer was full
  int proc_events_error = 0;     // errno the kernel returned for the process-events subscription (0 = fine)
};

class AuditCollector {
 public:
  /** Record types kept (everything else on the multicast group is discarded at once). */
  static bool IsRelevant(uint16_t type);

  AuditCollector() = default;
  ~AuditCollector();
  AuditCollector(const AuditCollector&) = delete;
  AuditCollector& operator=(const AuditCollector&) = delete;

  /** Opens both sockets and starts the reader thread. Returns 0, or -errno with `*step` naming what failed. */
  int Start(const char** step);
  /** True once an AUDIT_SECCOMP record from host pid `pid` has arrived (the delivery marker). */
  bool SawSeccompFrom(int pid);
  /** Stops the thread after draining what is already queued on the sockets, and hands over everything. */
  CollectedAudit Stop();
  bool running() const { return thread_.joinable(); }

 private:
  void Run();
  void DrainAudit();
  void DrainProcEvents();

  int audit_fd_ = -1;
  int proc_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  CollectedAudit collected_;  // guarded by mutex_
  std::vector<int> seccomp_pids_;  // guarded by mutex_
};

}  // namespace cordon
