// cordon-win-exec.exe: the two-stage launcher. See: CreateProcessWithLogonW, CreateRestrictedToken,
// CreateProcessAsUserW, job objects (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE).
//
//   --launch SPEC   (as the invoking user) reads and deletes SPEC, creates the job object, starts
//                   `--run` as the sandbox user inside it, and exits with the command's exit code. If
//                   cordon dies, it terminates the job; when this process ends, the job handle closes and
//                   KILL_ON_JOB_CLOSE ends every process left in it.
//   --run SID -- CMDLINE   (as the sandbox user) restricts its own token (WRITE_RESTRICTED, restricting
//                   SIDs: SID and the logon SID, only SeChangeNotifyPrivilege kept), locks its own process
//                   object, then starts CMDLINE with that token (it inherits the job) and relays the exit code.
// Failures print "cordon-win-exec: <what failed>: <message>" and exit 125 without running the command.
#include "win_util.h"

#include <aclapi.h>
#include <sddl.h>

#include <cstdio>
#include <string>
#include <vector>

#include "identity.h"

namespace {

using cordon::Handle;
using cordon::Status;

int die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "cordon-win-exec: %s: %s\n", what.c_str(), st.text().c_str());
  return 125;
}

int die(const std::string& what) {
  std::fprintf(stderr, "cordon-win-exec: %s\n", what.c_str());
  return 125;
}

struct Spec {
  std::wstring user, password_blob, cmdline, cwd;
  DWORD parent_pid = 0;
  std::vector<std::wstring> env;
};

/** Parses `key:len:value\n` fields (lengths in UTF-16 units). */
bool parse_spec(const std::wstring& text, Spec& spec) {
  size_t i = 0;
  while (i < text.size()) {
    size_t c1 = text.find(L':', i);
    if (c1 == std::wstring::npos) return false;
    size_t c2 = text.find(L':', c1 + 1);
    if (c2 == std::wstring::npos) return false;
    size_t len = 0;
    for (size_t k = c1 + 1; k < c2; k++) {
      if (text[k] < L'0' || text[k] > L'9') return false;
      len = len * 10 + static_cast<size_t>(text[k] - L'0');
    }
    if (c2 + 1 + len >= text.size() || text[c2 + 1 + len] != L'\n') return false;
    std::wstring key = text.substr(i, c1 - i);
    std::wstring value = text.substr(c2 + 1, len);
    if (key == L"user") spec.user = value;
    else if (key == L"password_blob") spec.password_blob = value;
    else if (key == L"cmdline") spec.cmdline = value;
    else if (key == L"cwd") spec.cwd = value;
    else if (key == L"parent_pid") spec.parent_pid = static_cast<DWORD>(std::wcstoul(value.c_str(), nullptr, 10));
    else if (key == L"env") spec.env.push_back(value);
    else return false;
    i = c2 + 2 + len;
  }
  return !spec.user.empty() && !spec.cmdline.empty() && !spec.cwd.empty() && spec.parent_pid != 0;
}

Status read_and_delete(const std::wstring& path, std::wstring& text) {
  Handle file(CreateFileW(path.c_str(), GENERIC_READ | DELETE, 0, nullptr, OPEN_EXISTING, FILE_FLAG_DELETE_ON_CLOSE, nullptr));
  if (!file.valid()) return cordon::last_error("CreateFileW");
  std::string bytes;
  char buffer[65536];
  DWORD n = 0;
  while (ReadFile(file.get(), buffer, sizeof(buffer), &n, nullptr) && n > 0) bytes.append(buffer, n);
  text = cordon::widen(bytes);
  return Status{};
}

Status make_job(Handle& job) {
  *job.out() = CreateJobObjectW(nullptr, nullptr);
  if (!job.valid()) return cordon::last_error("CreateJobObjectW");
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
  if (!SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits, sizeof(limits))) return cordon::last_error("SetInformationJobObject(limits)");
  JOBOBJECT_BASIC_UI_RESTRICTIONS ui{};
  ui.UIRestrictionsClass = JOB_OBJECT_UILIMIT_HANDLES | JOB_OBJECT_UILIMIT_READCLIPBOARD | JOB_OBJECT_UILIMIT_WRITECLIPBOARD | JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS |
                           JOB_OBJECT_UILIMIT_DISPLAYSETTINGS | JOB_OBJECT_UILIMIT_GLOBALATOMS | JOB_OBJECT_UILIMIT_DESKTOP | JOB_OBJECT_UILIMIT_EXITWINDOWS;
  if (!SetInformationJobObject(job.get(), JobObjectBasicUIRestrictions, &ui, sizeof(ui))) return cordon::last_error("SetInformationJobObject(ui)");
  return Status{};
}

STARTUPINFOW std_startup() {
  STARTUPINFOW si{};
  si.cb = sizeof(si);
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  return si;
}

int launch(const std::wstring& spec_path) {
  std::wstring text;
  Status st = read_and_delete(spec_path, text);
  if (!st.ok()) return die("read launch spec", st);
  Spec spec;
  if (!parse_spec(text, spec)) return die("malformed launch spec");
  std::string password;
  st = cordon::unprotect_data(cordon::narrow(spec.password_blob), password);
  if (!st.ok()) return die("decrypt the sandbox account password", st);
  std::wstring wpassword = cordon::widen(password);
  SecureZeroMemory(&password[0], password.size());

  Handle parent(OpenProcess(SYNCHRONIZE, FALSE, spec.parent_pid));
  if (!parent.valid()) return die("open the cordon process", cordon::last_error("OpenProcess"));
  Handle job;
  st = make_job(job);
  if (!st.ok()) return die("create the job object", st);

  std::wstring block;
  for (const std::wstring& e : spec.env) block += e + L'\0';
  block += L'\0';
  std::vector<wchar_t> cmdline(spec.cmdline.begin(), spec.cmdline.end());
  cmdline.push_back(L'\0');
  STARTUPINFOW si = std_startup();
  PROCESS_INFORMATION pi{};
  BOOL created = CreateProcessWithLogonW(spec.user.c_str(), L".", wpassword.c_str(), LOGON_WITH_PROFILE, nullptr, cmdline.data(),
                                         CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT, &block[0], spec.cwd.c_str(), &si, &pi);
  SecureZeroMemory(&wpassword[0], wpassword.size() * sizeof(wchar_t));
  if (!created) return die("start the runner as " + cordon::narrow(spec.user), cordon::last_error("CreateProcessWithLogonW"));
  Handle process(pi.hProcess), thread(pi.hThread);
  if (!AssignProcessToJobObject(job.get(), process.get())) {
    Status assign = cordon::last_error("AssignProcessToJobObject");
    TerminateProcess(process.get(), 125);
    return die("put the runner into the job object", assign);
  }
  if (ResumeThread(thread.get()) == static_cast<DWORD>(-1)) {
    TerminateJobObject(job.get(), 125);
    return die("resume the runner", cordon::last_error("ResumeThread"));
  }
  HANDLE waits[2] = {process.get(), parent.get()};
  DWORD which = WaitForMultipleObjects(2, waits, FALSE, INFINITE);
  if (which != WAIT_OBJECT_0) {
    TerminateJobObject(job.get(), 1);  // cordon is gone: nothing it started may outlive it
    return 125;
  }
  DWORD code = 125;
  GetExitCodeProcess(process.get(), &code);
  return static_cast<int>(code);  // returning closes the job handle: KILL_ON_JOB_CLOSE ends leftovers
}

Status logon_sid(HANDLE token, std::vector<BYTE>& groups_buffer, PSID& sid) {
  DWORD length = 0;
  GetTokenInformation(token, TokenGroups, nullptr, 0, &length);
  groups_buffer.resize(length);
  if (!GetTokenInformation(token, TokenGroups, groups_buffer.data(), length, &length)) return cordon::last_error("GetTokenInformation(TokenGroups)");
  auto* groups = reinterpret_cast<TOKEN_GROUPS*>(groups_buffer.data());
  for (DWORD i = 0; i < groups->GroupCount; i++) {
    if ((groups->Groups[i].Attributes & SE_GROUP_LOGON_ID) == SE_GROUP_LOGON_ID) {
      sid = groups->Groups[i].Sid;
      return Status{};
    }
  }
  return cordon::fail("find the logon SID", ERROR_NO_SUCH_LOGON_SESSION);
}

/** ACL granting `mask` to each SID (GENERIC_ALL for the default DACL, limited rights for self-protection). */
Status build_acl(const std::vector<std::pair<PSID, DWORD>>& grants, std::vector<BYTE>& buffer) {
  DWORD size = sizeof(ACL);
  for (const auto& g : grants) size += sizeof(ACCESS_ALLOWED_ACE) + GetLengthSid(g.first);
  buffer.assign((size + 3) & ~3u, 0);
  PACL acl = reinterpret_cast<PACL>(buffer.data());
  if (!InitializeAcl(acl, static_cast<DWORD>(buffer.size()), ACL_REVISION)) return cordon::last_error("InitializeAcl");
  for (const auto& g : grants) {
    if (!AddAccessAllowedAce(acl, ACL_REVISION, g.second, g.first)) return cordon::last_error("AddAccessAllowedAce");
  }
  return Status{};
}

int run(const std::wstring& capability, const std::wstring& child_cmdline) {
  Handle token;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY | TOKEN_ASSIGN_PRIMARY | TOKEN_ADJUST_DEFAULT, token.out())) {
    return die("open the runner token", cordon::last_error("OpenProcessToken"));
  }
  std::vector<BYTE> groups;
  PSID logon = nullptr;
  Status st = logon_sid(token.get(), groups, logon);
  if (!st.ok()) return die("read the logon SID", st);
  cordon::LocalPtr<PSID> cap;
  if (!ConvertStringSidToSidW(capability.c_str(), cap.out())) return die("parse the capability SID", cordon::last_error("ConvertStringSidToSidW"));
  BYTE user_buffer[SECURITY_MAX_SID_SIZE + sizeof(TOKEN_USER)];
  DWORD length = 0;
  if (!GetTokenInformation(token.get(), TokenUser, user_buffer, sizeof(user_buffer), &length)) return die("read the user SID", cordon::last_error("GetTokenInformation(TokenUser)"));
  PSID user = reinterpret_cast<TOKEN_USER*>(user_buffer)->User.Sid;
  BYTE system_sid[SECURITY_MAX_SID_SIZE];
  DWORD system_size = sizeof(system_sid);
  if (!CreateWellKnownSid(WinLocalSystemSid, nullptr, system_sid, &system_size)) return die("build the SYSTEM SID", cordon::last_error("CreateWellKnownSid"));

  // Restricting SIDs: only the per-run capability SID and the logon SID — never Everyone/Users (WIN-01).
  SID_AND_ATTRIBUTES restricting[2] = {{cap.get(), 0}, {logon, 0}};
  Handle restricted;
  if (!CreateRestrictedToken(token.get(), DISABLE_MAX_PRIVILEGE | WRITE_RESTRICTED, 0, nullptr, 0, nullptr, 2, restricting, restricted.out())) {
    return die("create the restricted token", cordon::last_error("CreateRestrictedToken"));
  }
  std::vector<BYTE> dacl;
  st = build_acl({{user, GENERIC_ALL}, {cap.get(), GENERIC_ALL}, {system_sid, GENERIC_ALL}}, dacl);
  if (!st.ok()) return die("build the default DACL", st);
  TOKEN_DEFAULT_DACL default_dacl{reinterpret_cast<PACL>(dacl.data())};
  if (!SetTokenInformation(restricted.get(), TokenDefaultDacl, &default_dacl, sizeof(default_dacl))) {
    return die("set the default DACL", cordon::last_error("SetTokenInformation(TokenDefaultDacl)"));
  }
  // The command runs as the same user: keep it from writing into this unrestricted runner.
  std::vector<BYTE> self;
  st = build_acl({{user, PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE}, {system_sid, PROCESS_ALL_ACCESS}}, self);
  if (!st.ok()) return die("build the runner DACL", st);
  DWORD rc = SetSecurityInfo(GetCurrentProcess(), SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, nullptr, nullptr, reinterpret_cast<PACL>(self.data()), nullptr);
  if (rc != ERROR_SUCCESS) return die("protect the runner process", cordon::fail("SetSecurityInfo", rc));

  // The program is an absolute path resolved by cordon (quoted when it has spaces): no search, no cmd.exe.
  std::wstring application;
  if (!child_cmdline.empty() && child_cmdline[0] == L'"') application = child_cmdline.substr(1, child_cmdline.find(L'"', 1) - 1);
  else application = child_cmdline.substr(0, child_cmdline.find(L' '));
  std::vector<wchar_t> cmdline(child_cmdline.begin(), child_cmdline.end());
  cmdline.push_back(L'\0');
  STARTUPINFOW si = std_startup();
  PROCESS_INFORMATION pi{};
  if (!CreateProcessAsUserW(restricted.get(), application.c_str(), cmdline.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &pi)) {
    DWORD code = GetLastError();
    std::fprintf(stderr, "cordon-win-exec: start %s: %s (%lu)\n", cordon::narrow(application).c_str(), cordon::win32_message(code).c_str(), code);
    return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND ? 127 : 126;
  }
  Handle process(pi.hProcess), thread(pi.hThread);
  WaitForSingleObject(process.get(), INFINITE);
  DWORD code = 125;
  GetExitCodeProcess(process.get(), &code);
  return static_cast<int>(code);
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  if (argc == 3 && std::wstring(argv[1]) == L"--launch") return launch(argv[2]);
  if (argc >= 4 && std::wstring(argv[1]) == L"--run") {
    // Take the command line verbatim after the first " -- ": it was quoted by cordon for CreateProcess.
    std::wstring whole = GetCommandLineW();
    size_t marker = whole.find(L" -- ");
    if (marker == std::wstring::npos) return die("--run: missing ' -- '");
    return run(argv[2], whole.substr(marker + 4));
  }
  return die("usage: cordon-win-exec --launch SPEC | --run SID -- COMMAND LINE");
}
