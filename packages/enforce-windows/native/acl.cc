// NTFS DACL edits (see acl.h). ACLs are rebuilt by hand instead of SetEntriesInAclW, whose GRANT_ACCESS
// merges with (and strips rights from) existing ACEs of the same trustee: here every ACE is exact.
#include "acl.h"

#include <aclapi.h>
#include <sddl.h>

#include <vector>

namespace cordon {
namespace {

bool is_missing(DWORD code) { return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND; }

struct Dacl {
  PACL acl = nullptr;
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  LocalPtr<PSECURITY_DESCRIPTOR> sd;
};

Status read_dacl(const std::wstring& vpath, Dacl& out) {
  DWORD rc = GetNamedSecurityInfoW(vpath.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, &out.acl, nullptr, out.sd.out());
  if (rc != ERROR_SUCCESS) return fail("GetNamedSecurityInfoW", rc);
  DWORD revision = 0;
  if (!GetSecurityDescriptorControl(out.sd.get(), &out.control, &revision)) return last_error("GetSecurityDescriptorControl");
  return Status{};
}

/** Writes a DACL back, keeping the object's protection state (inheritance from the parent on or off). */
Status write_dacl(const std::wstring& vpath, PACL acl, SECURITY_DESCRIPTOR_CONTROL control) {
  SECURITY_INFORMATION info = DACL_SECURITY_INFORMATION | ((control & SE_DACL_PROTECTED) ? PROTECTED_DACL_SECURITY_INFORMATION : UNPROTECTED_DACL_SECURITY_INFORMATION);
  DWORD rc = SetNamedSecurityInfoW(const_cast<LPWSTR>(vpath.c_str()), SE_FILE_OBJECT, info, nullptr, nullptr, acl, nullptr);
  return rc == ERROR_SUCCESS ? Status{} : fail("SetNamedSecurityInfoW", rc);
}

struct AceView {
  BYTE type;
  BYTE flags;
  PSID sid;  // null for ACE types we do not interpret
  ACE_HEADER* header;
};

std::vector<AceView> aces_of(PACL acl) {
  std::vector<AceView> out;
  if (!acl) return out;
  for (DWORD i = 0; i < acl->AceCount; i++) {
    void* raw = nullptr;
    if (!GetAce(acl, i, &raw)) continue;
    auto* header = static_cast<ACE_HEADER*>(raw);
    PSID sid = nullptr;
    if (header->AceType == ACCESS_ALLOWED_ACE_TYPE) sid = &static_cast<ACCESS_ALLOWED_ACE*>(raw)->SidStart;
    if (header->AceType == ACCESS_DENIED_ACE_TYPE) sid = &static_cast<ACCESS_DENIED_ACE*>(raw)->SidStart;
    out.push_back(AceView{header->AceType, header->AceFlags, sid, header});
  }
  return out;
}

Status sid_from_text(const std::wstring& text, LocalPtr<PSID>& sid) {
  if (!ConvertStringSidToSidW(text.c_str(), sid.out())) return last_error("ConvertStringSidToSidW");
  return Status{};
}

}  // namespace

Status add_ace(const std::wstring& path, const std::wstring& sid_text, bool deny, DWORD mask, bool inherit) {
  const std::wstring vpath = verbatim(path);
  LocalPtr<PSID> sid;
  Status st = sid_from_text(sid_text, sid);
  if (!st.ok()) return st;
  Dacl dacl;
  st = read_dacl(vpath, dacl);
  if (!st.ok()) return st;
  DWORD attributes = GetFileAttributesW(vpath.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return last_error("GetFileAttributesW");
  const BYTE flags = (inherit && (attributes & FILE_ATTRIBUTE_DIRECTORY)) ? (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE) : 0;

  std::vector<AceView> existing = aces_of(dacl.acl);
  DWORD size = sizeof(ACL) + sizeof(ACCESS_ALLOWED_ACE) + GetLengthSid(sid.get());
  for (const AceView& a : existing) size += a.header->AceSize;
  size = (size + 3) & ~3u;
  std::vector<BYTE> buffer(size);
  PACL acl = reinterpret_cast<PACL>(buffer.data());
  if (!InitializeAcl(acl, size, ACL_REVISION)) return last_error("InitializeAcl");

  // Canonical order: explicit deny, explicit allow, inherited. A deny goes first; an allow goes after
  // the explicit denies. The ACE we add is explicit, so it always precedes every inherited ACE.
  size_t insert_at = 0;
  if (!deny) {
    while (insert_at < existing.size() && !(existing[insert_at].flags & INHERITED_ACE) && existing[insert_at].type == ACCESS_DENIED_ACE_TYPE) insert_at++;
  }
  for (size_t i = 0; i <= existing.size(); i++) {
    if (i == insert_at) {
      BOOL ok = deny ? AddAccessDeniedAceEx(acl, ACL_REVISION, flags, mask, sid.get()) : AddAccessAllowedAceEx(acl, ACL_REVISION, flags, mask, sid.get());
      if (!ok) return last_error(deny ? "AddAccessDeniedAceEx" : "AddAccessAllowedAceEx");
    }
    if (i < existing.size() && !AddAce(acl, ACL_REVISION, MAXDWORD, existing[i].header, existing[i].header->AceSize)) return last_error("AddAce");
  }
  return write_dacl(vpath, acl, dacl.control);
}

Status remove_aces(const std::wstring& path, const std::wstring& sid_text) {
  const std::wstring vpath = verbatim(path);
  LocalPtr<PSID> sid;
  Status st = sid_from_text(sid_text, sid);
  if (!st.ok()) return st;
  Dacl dacl;
  st = read_dacl(vpath, dacl);
  if (is_missing(st.code)) return Status{};
  if (!st.ok()) return st;
  std::vector<AceView> existing = aces_of(dacl.acl);
  bool changed = false;
  DWORD size = sizeof(ACL);
  for (const AceView& a : existing) size += a.header->AceSize;
  std::vector<BYTE> buffer((size + 3) & ~3u);
  PACL acl = reinterpret_cast<PACL>(buffer.data());
  if (!InitializeAcl(acl, static_cast<DWORD>(buffer.size()), ACL_REVISION)) return last_error("InitializeAcl");
  for (const AceView& a : existing) {
    if (a.sid && !(a.flags & INHERITED_ACE) && EqualSid(a.sid, sid.get())) {
      changed = true;
      continue;
    }
    if (!AddAce(acl, ACL_REVISION, MAXDWORD, a.header, a.header->AceSize)) return last_error("AddAce");
  }
  return changed ? write_dacl(vpath, acl, dacl.control) : Status{};
}

Status scan_inheritance_breaks(const std::wstring& root, size_t max_entries, std::vector<std::wstring>& out, std::wstring& failed_path) {
  std::vector<std::wstring> pending{root};
  size_t seen = 0;
  while (!pending.empty()) {
    std::wstring dir = pending.back();
    pending.pop_back();
    WIN32_FIND_DATAW data;
    // A find handle is released with FindClose (not CloseHandle), so it is held raw.
    HANDLE raw = FindFirstFileExW((verbatim(dir) + L"\\*").c_str(), FindExInfoBasic, &data, FindExSearchNameMatch, nullptr, FIND_FIRST_EX_LARGE_FETCH);
    if (raw == INVALID_HANDLE_VALUE) {
      DWORD code = GetLastError();
      if (code == ERROR_FILE_NOT_FOUND) continue;  // empty directory
      failed_path = dir;
      return fail("FindFirstFileExW", code);
    }
    do {
      std::wstring name = data.cFileName;
      if (name == L"." || name == L"..") continue;
      if (++seen > max_entries) {
        FindClose(raw);
        failed_path = root;
        return fail("scan (more entries than the limit)", ERROR_BUFFER_OVERFLOW);
      }
      std::wstring child = dir + L"\\" + name;
      Dacl dacl;
      Status st = read_dacl(verbatim(child), dacl);
      if (!st.ok()) {
        FindClose(raw);
        failed_path = child;
        return st;
      }
      bool breaks = (dacl.control & SE_DACL_PROTECTED) != 0 || dacl.acl == nullptr;
      for (const AceView& a : aces_of(dacl.acl)) {
        if (a.type == ACCESS_ALLOWED_ACE_TYPE && !(a.flags & INHERITED_ACE)) breaks = true;
      }
      if (breaks) out.push_back(child);
      const bool directory = (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
      const bool reparse = (data.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
      if (directory && !reparse) pending.push_back(child);  // junction targets carry their own ACLs
    } while (FindNextFileW(raw, &data));
    DWORD code = GetLastError();
    FindClose(raw);
    if (code != ERROR_NO_MORE_FILES) {
      failed_path = dir;
      return fail("FindNextFileW", code);
    }
  }
  return Status{};
}

Status create_private_directory(const std::wstring& path) {
  Handle token;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, token.out())) return last_error("OpenProcessToken");
  BYTE buffer[SECURITY_MAX_SID_SIZE + sizeof(TOKEN_USER)];
  DWORD length = 0;
  if (!GetTokenInformation(token.get(), TokenUser, buffer, sizeof(buffer), &length)) return last_error("GetTokenInformation");
  LocalPtr<LPWSTR> user;
  if (!ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer)->User.Sid, user.out())) return last_error("ConvertSidToStringSidW");
  const std::wstring sddl = std::wstring(L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;") + user.get() + L")";
  SECURITY_ATTRIBUTES sa{sizeof(sa), nullptr, FALSE};
  LocalPtr<PSECURITY_DESCRIPTOR> sd;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, sd.out(), nullptr)) return last_error("ConvertStringSecurityDescriptorToSecurityDescriptorW");
  sa.lpSecurityDescriptor = sd.get();
  // Parents first (ordinary ACLs), then the private directory itself.
  for (size_t pos = path.find(L'\\', 3); pos != std::wstring::npos; pos = path.find(L'\\', pos + 1)) {
    CreateDirectoryW(verbatim(path.substr(0, pos)).c_str(), nullptr);
  }
  if (CreateDirectoryW(verbatim(path).c_str(), &sa)) return Status{};
  if (GetLastError() != ERROR_ALREADY_EXISTS) return last_error("CreateDirectoryW");
  BOOL present = FALSE, defaulted = FALSE;
  PACL acl = nullptr;
  if (!GetSecurityDescriptorDacl(sd.get(), &present, &acl, &defaulted)) return last_error("GetSecurityDescriptorDacl");
  return write_dacl(verbatim(path), acl, SE_DACL_PROTECTED);
}

}  // namespace cordon
