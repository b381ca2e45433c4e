// no_new_privs and dropping every capability (matters when the caller is root, FS-29).
// See: man 2 prctl (PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_SET_SECUREBITS), man 7 capabilities, man 2 capset.
#pragma once

#include "failure.h"

namespace cordon {

/** PR_SET_NO_NEW_PRIVS: execve can no longer grant privileges (setuid, file caps). Returns 0 or -errno. */
int SetNoNewPrivs(Failure* failure);

/**
 * Clears the ambient set, drops the whole bounding set (when CAP_SETPCAP is held; without it the
 * bounding set cannot grant anything back: permitted is emptied and no_new_privs is set), locks
 * SECBIT_NOROOT when possible, and empties effective/permitted/inheritable. Returns 0 or -errno.
 */
int DropAllCapabilities(Failure* failure);

/** True when the effective, permitted, inheritable and ambient sets are all empty. */
bool CapabilitySetsEmpty();

}  // namespace cordon
