// Host identity and file facts: elevation, SIDs, local sandbox accounts, DPAPI, drives, long names.
// See: NetUserAdd, NetLocalGroupAdd, LsaAddAccountRights, CryptProtectData, GetLongPathNameW.
#pragma once
#include <string>
#include <vector>

#include "win_util.h"

namespace cordon {

Status is_elevated(bool& out);
Status current_user_sid(std::wstring& out);
/** SID of a local account or group; `found` false when the name is unknown. */
Status lookup_account_sid(const std::wstring& name, std::wstring& out, bool& found);
Status ensure_local_group(const std::wstring& name, const std::wstring& comment, std::wstring& sid);
/** Creates (or resets the password of) a local user, adds it to `group`, denies network/RDP logon, hides it. */
Status ensure_local_user(const std::wstring& name, const std::wstring& password, const std::wstring& group, std::wstring& sid);
/** DPAPI, current-user scope; base64 text in and out. */
Status protect_data(const std::string& plain, std::string& base64);
Status unprotect_data(const std::string& base64, std::string& plain);
/** `C:`-style roots of fixed and removable drives. */
std::vector<std::wstring> local_drives();
/** Long form of the longest existing prefix, with the rest appended; `found` false when nothing resolves. */
Status long_path_name(const std::wstring& path, std::wstring& out, bool& found);
/** 0 = missing, 1 = file, 2 = directory. */
Status path_state(const std::wstring& path, int& state);
Status create_directory(const std::wstring& path);
Status remove_empty_directory(const std::wstring& path);

}  // namespace cordon
