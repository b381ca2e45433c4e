// Detaching from the caller's terminal session and kernel keyring.
// See: man 2 setsid, man 4 tty (TIOCSTI), man 2 keyctl (KEYCTL_JOIN_SESSION_KEYRING), man 7 session-keyring.
#pragma once

#include "failure.h"

namespace cordon {

/** Starts a new session without a controlling terminal (TIOCSTI into the caller's tty, PROC-06). Returns 0 or -errno. */
int StartNewSession(Failure* failure);

/** Joins a fresh anonymous session keyring so the caller's session keys are not reachable (PROC-10). Returns 0 or -errno. */
int JoinFreshSessionKeyring(Failure* failure);

}  // namespace cordon
