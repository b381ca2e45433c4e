// PATH search and execve with explicit environment; ENOEXEC falls back to /bin/sh as execvp does.
#include "command_exec.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "failure.h"

namespace cordon {
namespace {

constexpr char kDefaultPath[] = "/usr/local/bin:/usr/bin:/bin";

const char* PathFrom(char* const envp[]) {
  for (char* const* entry = envp; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "PATH=", 5) == 0) return *entry + 5;
  }
  return kDefaultPath;
}

/** execve, retrying a script without a #! line through /bin/sh. Returns the errno of the failure. */
int TryExec(const char* file, char* const argv[], char* const envp[]) {
  execve(file, argv, envp);
  if (errno != ENOEXEC) return errno;
  std::vector<char*> sh_argv{const_cast<char*>("sh"), const_cast<char*>(file)};
  for (char* const* arg = argv + 1; *arg != nullptr; ++arg) sh_argv.push_back(*arg);
  sh_argv.push_back(nullptr);
  execve("/bin/sh", sh_argv.data(), envp);
  return ENOEXEC;
}

int Fail(const char* name, int err) {
  const bool not_found = err == ENOENT || err == ENOTDIR;
  PrintError(std::string(name) + (not_found && std::strchr(name, '/') == nullptr ? ": command not found" : ""),
             not_found && std::strchr(name, '/') == nullptr ? 0 : err);
  return not_found ? kExitNotFound : kExitNotExecutable;
}

}  // namespace

int ExecCommand(char* const argv[], char* const envp[]) {
  const char* name = argv[0];
  if (name[0] == '\0') return Fail(name, ENOENT);
  if (std::strchr(name, '/') != nullptr) return Fail(name, TryExec(name, argv, envp));

  bool saw_eacces = false;
  const char* path = PathFrom(envp);
  for (;;) {
    const char* end = std::strchr(path, ':');
    const size_t length = end != nullptr ? static_cast<size_t>(end - path) : std::strlen(path);
    const std::string dir = length == 0 ? std::string(".") : std::string(path, length);  // empty entry = cwd (POSIX)
    const std::string candidate = dir + "/" + name;
    const int err = TryExec(candidate.c_str(), argv, envp);
    if (err == EACCES) {
      saw_eacces = true;
    } else if (err != ENOENT && err != ENOTDIR && err != ESTALE && err != ENODEV && err != ETIMEDOUT) {
      return Fail(name, err);  // found but failed for another reason: stop, as execvp does
    }
    if (end == nullptr) break;
    path = end + 1;
  }
  return Fail(name, saw_eacces ? EACCES : ENOENT);
}

}  // namespace cordon
