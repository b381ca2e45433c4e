// Running the user's command like a shell would: PATH search in the command's own environment, 126/127 on failure.
// See: man 3 execvp, man 2 execve, POSIX "Command Search and Execution".
#pragma once

namespace cordon {

/**
 * execve's `argv[0]` with `envp`, searching PATH taken from `envp` (default "/usr/local/bin:/usr/bin:/bin")
 * when the name has no slash; a file without a recognised format runs with /bin/sh. Returns only on
 * failure, after printing "cordon-exec: NAME: reason", with 127 (not found) or 126 (cannot execute).
 */
int ExecCommand(char* const argv[], char* const envp[]);

}  // namespace cordon
