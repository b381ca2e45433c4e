// Path helpers shared by the filesystem model: lexical normalization, home expansion and
// component-wise containment. POSIX paths everywhere; Windows drive paths (`C:\x`) are
// normalized to one consistent form (`C:/x`, drive letter upper-case) so the same code handles both.
// UNC paths (`\\server\share`) and device paths (`\\?\`) are not supported: they are not absolute here.
import type { Platform } from "../resolved-policy.js";

const DRIVE_ABSOLUTE = /^([A-Za-z]):[\\/]/;

/** The root prefix of a normalized absolute path: `/` (POSIX) or `C:/` (Windows drive). */
export function rootPrefixOf(path: string): string {
  const drive = DRIVE_ABSOLUTE.exec(path);
  return drive ? `${drive[1]!.toUpperCase()}:/` : "/";
}

/**
 * True when `path` is absolute for `platform`: `/…` on Linux and macOS; `C:\…` or `C:/…` on Windows.
 * On Windows a rooted path without a drive (`\x`) is drive-relative and therefore not absolute.
 */
export function isAbsolutePath(path: string, platform: Platform): boolean {
  return platform === "windows" ? DRIVE_ABSOLUTE.test(path) : path.startsWith("/");
}

/**
 * Normalizes an absolute path lexically: collapses repeated separators, resolves `.` and `..`
 * (`..` never climbs above the root), no trailing slash except on the root itself.
 * POSIX paths stay POSIX (a backslash is an ordinary character there); Windows drive paths become
 * `C:/a/b`. Throws a TypeError for a path that is not absolute (a programming error: callers
 * validate user input first).
 */
export function normalizeAbsolute(path: string): string {
  let prefix: string;
  let rest: string;
  if (DRIVE_ABSOLUTE.test(path)) {
    prefix = rootPrefixOf(path);
    rest = path.slice(3).replaceAll("\\", "/");
  } else if (path.startsWith("/")) {
    prefix = "/";
    rest = path;
  } else {
    throw new TypeError(`normalizeAbsolute: not an absolute path: ${JSON.stringify(path)}`);
  }
  const out: string[] = [];
  for (const part of rest.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return prefix + out.join("/");
}

/** The components below the root of a normalized absolute path (`/a/b` → `["a", "b"]`, `/` → `[]`). */
export function pathComponents(normalized: string): string[] {
  const rest = normalized.slice(rootPrefixOf(normalized).length);
  return rest === "" ? [] : rest.split("/");
}

/** Lexical depth of a normalized absolute path: its number of components (`/` is 0, `/repo` is 1). */
export function pathDepth(normalized: string): number {
  return pathComponents(normalized).length;
}

/** Parent of a normalized absolute path; the root is its own parent. */
export function parentPath(normalized: string): string {
  const root = rootPrefixOf(normalized);
  const cut = normalized.lastIndexOf("/");
  return cut < root.length ? root : normalized.slice(0, cut);
}

/** Joins a normalized absolute base and a relative subpath with `/` (no normalization of `sub`). */
export function joinPath(base: string, sub: string): string {
  if (sub === "") return base;
  return base.endsWith("/") ? base + sub : `${base}/${sub}`;
}

/**
 * Expands `~` and `~/…` (and `~\…` on Windows) against `home`. Returns null for anything else,
 * including `~user/…`, which cordon does not support (it would depend on the host's user database).
 */
export function expandHome(key: string, home: string, platform: Platform): string | null {
  if (key === "~") return home;
  if (key.startsWith("~/") || (platform === "windows" && key.startsWith("~\\"))) return joinPath(home, key.slice(2));
  return null;
}

/** Case folding used for path comparison on case-insensitive platforms (macOS, Windows). */
export function foldCase(path: string): string {
  return path.toLowerCase();
}

/**
 * True when `path` equals `root` or lies beneath it, compared component-wise: `/repo/ab` is not
 * within `/repo/a`. Both arguments must be normalized (see normalizeAbsolute). With
 * `caseSensitive = false` (macOS, Windows) letters compare case-insensitively.
 */
export function isWithin(path: string, root: string, caseSensitive = true): boolean {
  const p = caseSensitive ? path : foldCase(path);
  const r = caseSensitive ? root : foldCase(root);
  if (r.endsWith("/")) return p.startsWith(r); // the root itself: `/` or `C:/`
  return p === r || (p.startsWith(r) && p.charCodeAt(r.length) === 47 /* "/" */);
}

/** True when two normalized paths name the same path (case-insensitively when asked). */
export function samePath(a: string, b: string, caseSensitive = true): boolean {
  return caseSensitive ? a === b : foldCase(a) === foldCase(b);
}
