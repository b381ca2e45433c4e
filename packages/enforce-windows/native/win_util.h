// Shared Win32 helpers for the addon and the launcher: UTF-8/UTF-16 conversion, error text, owned handles.
#pragma once
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <string>

namespace cordon {

/** Result of one Win32 step: ERROR_SUCCESS, or the failing call and its error code. */
struct Status {
  DWORD code = ERROR_SUCCESS;
  const char* call = "";
  bool ok() const { return code == ERROR_SUCCESS; }
  /** "<call>: <system message> (<code>)". */
  std::string text() const;
};

inline Status fail(const char* call, DWORD code) { return Status{code == ERROR_SUCCESS ? ERROR_GEN_FAILURE : code, call}; }
inline Status last_error(const char* call) { return fail(call, GetLastError()); }

std::wstring widen(const std::string& utf8);
std::string narrow(const std::wstring& wide);
std::string win32_message(DWORD code);

/** `\\?\C:\x` / `\\?\UNC\s\share\x`: Win32 calls then reach the object exactly as named, past MAX_PATH. */
std::wstring verbatim(const std::wstring& path);

/** An owned HANDLE (CloseHandle on destruction). */
class Handle {
 public:
  Handle() = default;
  explicit Handle(HANDLE h) : h_(h) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }
  HANDLE get() const { return h_; }
  HANDLE* out() { reset(); return &h_; }
  bool valid() const { return h_ != nullptr && h_ != INVALID_HANDLE_VALUE; }
  void reset() {
    if (valid()) CloseHandle(h_);
    h_ = nullptr;
  }

 private:
  HANDLE h_ = nullptr;
};

/** Frees LocalAlloc'ed memory (ConvertStringSidToSid, GetNamedSecurityInfo, SetEntriesInAcl …). */
template <typename T>
class LocalPtr {
 public:
  LocalPtr() = default;
  LocalPtr(const LocalPtr&) = delete;
  LocalPtr& operator=(const LocalPtr&) = delete;
  ~LocalPtr() {
    if (p_) LocalFree(p_);
  }
  T get() const { return p_; }
  T* out() { return &p_; }

 private:
  T p_ = nullptr;
};

}  // namespace cordon
