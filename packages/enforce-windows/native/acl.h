// NTFS DACL edits for one run: add one explicit ACE in canonical position, remove a SID's explicit ACEs,
// find objects under a deny root that would not inherit it. See: GetNamedSecurityInfoW, SetNamedSecurityInfoW.
#pragma once
#include <string>
#include <vector>

#include "win_util.h"

namespace cordon {

/** Adds one explicit ACE; `inherit` sets OBJECT_INHERIT|CONTAINER_INHERIT on directories. */
Status add_ace(const std::wstring& path, const std::wstring& sid, bool deny, DWORD mask, bool inherit);
/** Removes every explicit allow/deny ACE naming `sid`; a missing object is success. */
Status remove_aces(const std::wstring& path, const std::wstring& sid);
/**
 * Walks `root` (not following reparse points) and lists objects whose DACL is protected or holds an
 * explicit allow ACE. Fails (fail closed) on any unreadable entry or past `max_entries`.
 */
Status scan_inheritance_breaks(const std::wstring& root, size_t max_entries, std::vector<std::wstring>& out, std::wstring& failed_path);
/** Creates `path` (and parents) with a protected DACL for the current user, SYSTEM and Administrators. */
Status create_private_directory(const std::wstring& path);

}  // namespace cordon
