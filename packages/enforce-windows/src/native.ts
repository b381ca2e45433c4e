// Loads the Windows N-API addon (build/Release/cordon_windows.node, built only on Windows) and types it.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** ACE as the addon applies it (mask and inheritance already resolved). */
export interface NativeAce {
  readonly path: string;
  readonly sid: string;
  readonly type: "allow" | "deny";
  readonly mask: number;
  /** true: OBJECT_INHERIT | CONTAINER_INHERIT on directories (ignored on files). */
  readonly inherit: boolean;
}

/** The addon's surface (native/addon.cc). Every function throws an Error naming the Win32 call and code. */
export interface NativeWindows {
  /** The process token is elevated (TokenElevation). */
  isElevated(): boolean;
  /** SID string of the current user. */
  currentUserSid(): string;
  /** SID string for a local account or group, or null when it does not exist. */
  lookupAccountSid(name: string): string | null;
  /** Drive roots (`C:`) of fixed and removable local drives. */
  localDrives(): string[];
  /** GetLongPathNameW of the longest existing prefix, or null when nothing resolves. */
  longPathName(path: string): string | null;
  pathState(path: string): "file" | "directory" | "missing";
  /** Descendants (not following reparse points) with a protected DACL or an explicit allow ACE; error past maxEntries. */
  scanInheritanceBreaks(root: string, maxEntries: number): string[];
  /** Adds one ACE (GetNamedSecurityInfoW + SetEntriesInAclW + SetNamedSecurityInfoW, protection kept). */
  addAce(ace: NativeAce): void;
  /** Removes every explicit ACE naming sid; a missing object is not an error. */
  removeAces(path: string, sid: string): void;
  /** Creates an empty directory (no-op when it exists). */
  createDirectory(path: string): void;
  removeEmptyDirectory(path: string): void;
  /** Setup: a local group (no-op when present); returns its SID. */
  ensureLocalGroup(name: string, comment: string): string;
  /** Setup: a local user with this password (reset when present), member of group; returns its SID. */
  ensureLocalUser(name: string, password: string, group: string): string;
  /** DPAPI (user scope) protect/unprotect, base64 in and out. */
  protectData(plain: string): string;
  unprotectData(base64: string): string;
  /** Setup: persistent WFP filters for a user SID (replacing earlier cordon filters for it). */
  installUserFilters(userSid: string, proxyPortLow: number, proxyPortHigh: number): void;
  /** Which users have cordon's WFP filters installed. */
  userFiltersInstalled(userSid: string): boolean;
  /** Creates a directory whose DACL is protected and grants only the current user, SYSTEM and Administrators. */
  createPrivateDirectory(path: string): void;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Where node-gyp puts the addon and the helper executable (the package root is one level above dist/ and src/). */
export const BUILD_DIR = join(here, "..", "build", "Release");

let cached: NativeWindows | undefined;

/** Loads the addon; throws with the reason when it is unavailable (not Windows, or not built). */
export function loadNative(): NativeWindows {
  if (cached) return cached;
  if (process.platform !== "win32") throw new Error("@cordon/enforce-windows: the native addon exists only on Windows");
  const file = join(BUILD_DIR, "cordon_windows.node");
  if (!existsSync(file)) throw new Error(`@cordon/enforce-windows: native addon not built (${file}); run \`npm run build:native -w @cordon/enforce-windows\``);
  const require = createRequire(import.meta.url);
  cached = require(file) as NativeWindows;
  return cached;
}

/** Path of the launcher/runner executable (`cordon-win-exec.exe`). */
export function execHelperPath(): string {
  return join(BUILD_DIR, "cordon-win-exec.exe");
}
