// Exact refusal texts (mirroring Codex's Windows sandbox wording where the situation is the same).

const UNELEVATED = "windows unelevated restricted-token sandbox";
const ELEVATED = "windows elevated sandbox";
const REFUSE = "refusing to run unsandboxed";

export type WindowsMode = "elevated" | "unelevated";

function prefix(mode: WindowsMode): string {
  return mode === "elevated" ? ELEVATED : UNELEVATED;
}

export const MESSAGES = {
  /** Codex's text: restricting SIDs are only consulted for writes, so no ACE can deny a read. */
  unelevatedDenyRead: `${UNELEVATED} cannot enforce deny-read restrictions directly; ${REFUSE}`,
  /** Codex's text: the token reads with the user's own rights everywhere. */
  unelevatedSplitRead: `${UNELEVATED} cannot enforce split filesystem read restrictions directly; ${REFUSE}`,
  unelevatedNetwork: `${UNELEVATED} cannot block or filter network access: that needs the sandbox user's firewall filters, installed once by \`cordon setup windows\` run as administrator; ${REFUSE}`,
  elevatedSplitRead: (drive: string): string =>
    `${ELEVATED} cannot enforce split filesystem read restrictions directly: the sandbox user can read ${drive} like every local user; grant it (\`"${drive.replace("\\", "/")}" = "read"\`) and deny what must stay private; ${REFUSE}`,
  wholeDriveWrite: (mode: WindowsMode, drive: string): string =>
    `${prefix(mode)} cannot grant write access to a whole drive (${drive}): every object on it would need a new ACE; list the writable directories instead; ${REFUSE}`,
  wholeDriveDeny: (mode: WindowsMode, drive: string): string =>
    `${prefix(mode)} cannot deny a whole drive (${drive}) without rewriting the ACL of every file on it; ${REFUSE}`,
  elevatedNoOnlineFirewall: `${ELEVATED} has no firewall capability for network access: the sandbox user's filters that allow only the proxy's loopback port are missing; run \`cordon setup windows\` as administrator; ${REFUSE}`,
  elevatedNoOfflineFirewall: `${ELEVATED} cannot block network access: the offline sandbox user's firewall filters are missing; run \`cordon setup windows\` as administrator; ${REFUSE}`,
  badPath: (mode: WindowsMode, reason: string): string => `${prefix(mode)} cannot place an ACE on this path: ${reason}; ${REFUSE}`,
  unresolvedShortName: (mode: WindowsMode, path: string): string =>
    `${prefix(mode)} cannot resolve the 8.3 short name in ${path} to its long name, so it cannot tell which rules nest; write the long name; ${REFUSE}`,
  globExpansionFailed: (error: string): string => `deny glob could not be expanded on this host: ${error}; ${REFUSE}`,
  inheritanceScanFailed: (path: string, error: string): string =>
    `${ELEVATED} could not verify that every object under ${path} inherits its deny ACE: ${error}; ${REFUSE}`,
} as const;
