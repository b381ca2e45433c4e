// Thin wrappers around the seccomp user-notification interface: installing a filter with a listener
// and receiving, validating and answering notifications on it.
// See: man 2 seccomp (SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_GET_NOTIF_SIZES), man 2 seccomp_unotify.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <vector>

#include "failure.h"

namespace cordon {

/** Installs `program` on this (single-threaded) process with a listener; returns the listener fd or -errno. */
int InstallListenerFilter(const std::vector<sock_filter>& program, Failure* failure);

/**
 * A notification buffer big enough for the running kernel's struct seccomp_notif (which may be larger
 * than this build's). Checked once with SECCOMP_GET_NOTIF_SIZES before the supervisor confines itself.
 */
union NotificationBuffer {
  seccomp_notif notif;
  unsigned char bytes[512];
};

/** Fails when the kernel's notification structs do not fit this build's buffers. Returns 0 or -errno. */
int CheckNotificationSizes(Failure* failure);

/** SECCOMP_IOCTL_NOTIF_RECV into `buffer` (zeroed first, as the kernel requires). Returns 0 or -errno. */
int ReceiveNotification(int listener, NotificationBuffer* buffer);

/** True while notification `id` is pending: its task is still blocked in the syscall (so its pid was not reused). */
bool NotificationValid(int listener, uint64_t id);

/**
 * Answers notification `id`: the syscall returns `result` when >= 0, or fails with errno -result.
 * Returns 0 or -errno (ENOENT: the task was interrupted or killed meanwhile).
 */
int AnswerNotification(int listener, uint64_t id, int64_t result);

}  // namespace cordon
