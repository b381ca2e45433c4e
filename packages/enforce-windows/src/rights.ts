// NTFS access masks and ACE shapes the planner emits (winnt.h values), named so plans stay readable.

/** FILE_GENERIC_READ | FILE_GENERIC_EXECUTE: read data, list, read attributes/EA/ACL, traverse, sync. */
export const READ_EXECUTE = 0x001200a9;
/** READ_EXECUTE plus write data, append, write attributes/EA, DELETE — the "Modify" right (no DELETE_CHILD, no WRITE_DAC). */
export const MODIFY = 0x001301bf;
/**
 * Every right that changes an object or its directory: write/append data (add file / add
 * subdirectory on a directory), write attributes and EA, DELETE, FILE_DELETE_CHILD, WRITE_DAC, WRITE_OWNER.
 */
export const WRITE_RIGHTS = 0x000d0156;
/** FILE_ALL_ACCESS: the whole object, every stream, read and write. */
export const ALL_ACCESS = 0x001f01ff;

/** Named masks as they appear in plans. */
export type RightsName = "read" | "modify" | "write" | "all";

export const RIGHTS_MASK: Readonly<Record<RightsName, number>> = {
  read: READ_EXECUTE,
  modify: MODIFY,
  write: WRITE_RIGHTS,
  all: ALL_ACCESS,
};

/**
 * `subtree`: OBJECT_INHERIT | CONTAINER_INHERIT — the object and everything below it, including
 * files created later. `object`: this object only (files, sockets).
 */
export type Inheritance = "subtree" | "object";

/** Well-known SIDs the planner names. */
export const WELL_KNOWN_SIDS = {
  system: "S-1-5-18",
  administrators: "S-1-5-32-544",
  everyone: "S-1-1-0",
  users: "S-1-5-32-545",
  authenticatedUsers: "S-1-5-11",
} as const;

/** SIDs that must never be restricting SIDs: many DACLs grant them write (WIN-01). */
export const BROAD_SIDS: readonly string[] = [WELL_KNOWN_SIDS.everyone, WELL_KNOWN_SIDS.users, WELL_KNOWN_SIDS.authenticatedUsers, "S-1-5-4", "S-1-2-0", "S-1-2-1"];

const SID_TEXT = /^S-1-[0-9]+(-[0-9]+){1,14}$/;

/** True for the string form of a SID (`S-1-5-21-…`). */
export function isSidString(text: string): boolean {
  return SID_TEXT.test(text);
}
