// Host identity and file facts (see identity.h).
#include "identity.h"

#include <lm.h>
#include <ntsecapi.h>
#include <sddl.h>
#include <wincrypt.h>

namespace cordon {

Status is_elevated(bool& out) {
  Handle token;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, token.out())) return last_error("OpenProcessToken");
  TOKEN_ELEVATION elevation{};
  DWORD length = 0;
  if (!GetTokenInformation(token.get(), TokenElevation, &elevation, sizeof(elevation), &length)) return last_error("GetTokenInformation");
  out = elevation.TokenIsElevated != 0;
  return Status{};
}

Status current_user_sid(std::wstring& out) {
  Handle token;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, token.out())) return last_error("OpenProcessToken");
  BYTE buffer[SECURITY_MAX_SID_SIZE + sizeof(TOKEN_USER)];
  DWORD length = 0;
  if (!GetTokenInformation(token.get(), TokenUser, buffer, sizeof(buffer), &length)) return last_error("GetTokenInformation");
  LocalPtr<LPWSTR> text;
  if (!ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer)->User.Sid, text.out())) return last_error("ConvertSidToStringSidW");
  out = text.get();
  return Status{};
}

Status lookup_account_sid(const std::wstring& name, std::wstring& out, bool& found) {
  BYTE sid[SECURITY_MAX_SID_SIZE];
  DWORD sid_size = sizeof(sid);
  wchar_t domain[256];
  DWORD domain_size = 256;
  SID_NAME_USE use;
  // `.\name` pins the lookup to the local machine (a domain account of the same name must not match).
  std::wstring local = L".\\" + name;
  found = false;
  if (!LookupAccountNameW(nullptr, local.c_str(), sid, &sid_size, domain, &domain_size, &use)) {
    DWORD code = GetLastError();
    if (code == ERROR_NONE_MAPPED) return Status{};
    return fail("LookupAccountNameW", code);
  }
  LocalPtr<LPWSTR> text;
  if (!ConvertSidToStringSidW(sid, text.out())) return last_error("ConvertSidToStringSidW");
  out = text.get();
  found = true;
  return Status{};
}

Status ensure_local_group(const std::wstring& name, const std::wstring& comment, std::wstring& sid) {
  LOCALGROUP_INFO_1 info{const_cast<LPWSTR>(name.c_str()), const_cast<LPWSTR>(comment.c_str())};
  NET_API_STATUS rc = NetLocalGroupAdd(nullptr, 1, reinterpret_cast<LPBYTE>(&info), nullptr);
  if (rc != NERR_Success && rc != NERR_GroupExists && rc != ERROR_ALIAS_EXISTS) return fail("NetLocalGroupAdd", rc);
  bool found = false;
  Status st = lookup_account_sid(name, sid, found);
  if (st.ok() && !found) return fail("LookupAccountNameW", ERROR_NONE_MAPPED);
  return st;
}

namespace {

/** Denies network and Remote Desktop logon: the account exists only to run sandboxed commands locally. */
Status deny_remote_logon(const std::wstring& sid_text) {
  LocalPtr<PSID> sid;
  if (!ConvertStringSidToSidW(sid_text.c_str(), sid.out())) return last_error("ConvertStringSidToSidW");
  LSA_OBJECT_ATTRIBUTES attributes{};
  LSA_HANDLE policy = nullptr;
  NTSTATUS nt = LsaOpenPolicy(nullptr, &attributes, POLICY_CREATE_ACCOUNT | POLICY_LOOKUP_NAMES, &policy);
  if (nt != 0) return fail("LsaOpenPolicy", LsaNtStatusToWinError(nt));
  wchar_t network[] = L"SeDenyNetworkLogonRight";
  wchar_t remote[] = L"SeDenyRemoteInteractiveLogonRight";
  LSA_UNICODE_STRING rights[2] = {
      {static_cast<USHORT>(wcslen(network) * sizeof(wchar_t)), static_cast<USHORT>(sizeof(network)), network},
      {static_cast<USHORT>(wcslen(remote) * sizeof(wchar_t)), static_cast<USHORT>(sizeof(remote)), remote},
  };
  nt = LsaAddAccountRights(policy, sid.get(), rights, 2);
  LsaClose(policy);
  return nt == 0 ? Status{} : fail("LsaAddAccountRights", LsaNtStatusToWinError(nt));
}

/** Hides the account from the sign-in screen (SpecialAccounts\UserList\<name> = 0). */
Status hide_from_logon_screen(const std::wstring& name) {
  HKEY key = nullptr;
  LSTATUS rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\SpecialAccounts\\UserList", 0, nullptr, 0, KEY_SET_VALUE, nullptr, &key, nullptr);
  if (rc != ERROR_SUCCESS) return fail("RegCreateKeyExW", static_cast<DWORD>(rc));
  DWORD zero = 0;
  rc = RegSetValueExW(key, name.c_str(), 0, REG_DWORD, reinterpret_cast<const BYTE*>(&zero), sizeof(zero));
  RegCloseKey(key);
  return rc == ERROR_SUCCESS ? Status{} : fail("RegSetValueExW", static_cast<DWORD>(rc));
}

}  // namespace

Status ensure_local_user(const std::wstring& name, const std::wstring& password, const std::wstring& group, std::wstring& sid) {
  USER_INFO_1 info{};
  info.usri1_name = const_cast<LPWSTR>(name.c_str());
  info.usri1_password = const_cast<LPWSTR>(password.c_str());
  info.usri1_priv = USER_PRIV_USER;
  info.usri1_flags = UF_SCRIPT | UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD | UF_PASSWD_CANT_CHANGE;
  NET_API_STATUS rc = NetUserAdd(nullptr, 1, reinterpret_cast<LPBYTE>(&info), nullptr);
  if (rc == NERR_UserExists) {
    USER_INFO_1003 reset{const_cast<LPWSTR>(password.c_str())};
    rc = NetUserSetInfo(nullptr, name.c_str(), 1003, reinterpret_cast<LPBYTE>(&reset), nullptr);
    if (rc != NERR_Success) return fail("NetUserSetInfo", rc);
  } else if (rc != NERR_Success) {
    return fail("NetUserAdd", rc);
  }
  LOCALGROUP_MEMBERS_INFO_3 member{const_cast<LPWSTR>(name.c_str())};
  rc = NetLocalGroupAddMembers(nullptr, group.c_str(), 3, reinterpret_cast<LPBYTE>(&member), 1);
  if (rc != NERR_Success && rc != ERROR_MEMBER_IN_ALIAS) return fail("NetLocalGroupAddMembers", rc);
  bool found = false;
  Status st = lookup_account_sid(name, sid, found);
  if (!st.ok()) return st;
  if (!found) return fail("LookupAccountNameW", ERROR_NONE_MAPPED);
  st = deny_remote_logon(sid);
  if (!st.ok()) return st;
  return hide_from_logon_screen(name);
}

Status protect_data(const std::string& plain, std::string& base64) {
  DATA_BLOB in{static_cast<DWORD>(plain.size()), reinterpret_cast<BYTE*>(const_cast<char*>(plain.data()))};
  DATA_BLOB out{};
  if (!CryptProtectData(&in, L"cordon sandbox account", nullptr, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN, &out)) return last_error("CryptProtectData");
  DWORD chars = 0;
  CryptBinaryToStringA(out.pbData, out.cbData, CRYPT_STRING_BASE64 | CRYPT_STRING_NOCRLF, nullptr, &chars);
  std::string text(chars, '\0');
  BOOL ok = CryptBinaryToStringA(out.pbData, out.cbData, CRYPT_STRING_BASE64 | CRYPT_STRING_NOCRLF, &text[0], &chars);
  LocalFree(out.pbData);
  if (!ok) return last_error("CryptBinaryToStringA");
  text.resize(chars);
  base64 = text;
  return Status{};
}

Status unprotect_data(const std::string& base64, std::string& plain) {
  DWORD size = 0;
  if (!CryptStringToBinaryA(base64.c_str(), 0, CRYPT_STRING_BASE64, nullptr, &size, nullptr, nullptr)) return last_error("CryptStringToBinaryA");
  std::string bytes(size, '\0');
  if (!CryptStringToBinaryA(base64.c_str(), 0, CRYPT_STRING_BASE64, reinterpret_cast<BYTE*>(&bytes[0]), &size, nullptr, nullptr)) return last_error("CryptStringToBinaryA");
  DATA_BLOB in{size, reinterpret_cast<BYTE*>(&bytes[0])};
  DATA_BLOB out{};
  if (!CryptUnprotectData(&in, nullptr, nullptr, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN, &out)) return last_error("CryptUnprotectData");
  plain.assign(reinterpret_cast<char*>(out.pbData), out.cbData);
  SecureZeroMemory(out.pbData, out.cbData);
  LocalFree(out.pbData);
  return Status{};
}

std::vector<std::wstring> local_drives() {
  std::vector<std::wstring> out;
  DWORD mask = GetLogicalDrives();
  for (int i = 0; i < 26; i++) {
    if (!(mask & (1u << i))) continue;
    std::wstring root = std::wstring(1, static_cast<wchar_t>(L'A' + i)) + L":\\";
    UINT type = GetDriveTypeW(root.c_str());
    if (type == DRIVE_FIXED || type == DRIVE_REMOVABLE) out.push_back(root.substr(0, 2));
  }
  return out;
}

Status long_path_name(const std::wstring& path, std::wstring& out, bool& found) {
  found = false;
  std::wstring prefix = path;
  std::wstring rest;
  for (;;) {
    DWORD n = GetLongPathNameW(verbatim(prefix).c_str(), nullptr, 0);
    if (n > 0) {
      std::wstring buffer(n, L'\0');
      n = GetLongPathNameW(verbatim(prefix).c_str(), &buffer[0], n);
      buffer.resize(n);
      if (buffer.rfind(L"\\\\?\\UNC\\", 0) == 0) buffer = L"\\\\" + buffer.substr(8);
      else if (buffer.rfind(L"\\\\?\\", 0) == 0) buffer = buffer.substr(4);
      out = buffer + rest;
      found = true;
      return Status{};
    }
    DWORD code = GetLastError();
    if (code != ERROR_FILE_NOT_FOUND && code != ERROR_PATH_NOT_FOUND) return fail("GetLongPathNameW", code);
    size_t cut = prefix.find_last_of(L'\\');
    if (cut == std::wstring::npos || cut <= 2) return Status{};
    rest = prefix.substr(cut) + rest;
    prefix = prefix.substr(0, cut);
  }
}

Status path_state(const std::wstring& path, int& state) {
  DWORD attributes = GetFileAttributesW(verbatim(path).c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    DWORD code = GetLastError();
    if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND) {
      state = 0;
      return Status{};
    }
    return fail("GetFileAttributesW", code);
  }
  state = (attributes & FILE_ATTRIBUTE_DIRECTORY) ? 2 : 1;
  return Status{};
}

Status create_directory(const std::wstring& path) {
  if (CreateDirectoryW(verbatim(path).c_str(), nullptr) || GetLastError() == ERROR_ALREADY_EXISTS) return Status{};
  return last_error("CreateDirectoryW");
}

Status remove_empty_directory(const std::wstring& path) {
  if (RemoveDirectoryW(verbatim(path).c_str())) return Status{};
  DWORD code = GetLastError();
  if (code == ERROR_DIR_NOT_EMPTY || code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND) return Status{};
  return fail("RemoveDirectoryW", code);
}

}  // namespace cordon
