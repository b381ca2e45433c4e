// Windows path normalizer: every spelling of one file system object (drive, UNC, \\?\, \\?\UNC\, `/`,
// `~\`, trailing dots/spaces, alternate data streams, 8.3 short names) becomes one canonical form and
// one case-folded key, so a deny can never be walked around by naming the object differently.
//
// Why this is enough for enforcement: NTFS ACEs attach to the file *object*, not to a name. Streams
// (`file::$DATA`, `file:s`) live inside the file and are covered by its DACL; hard links, junctions and
// short names reach the same object. The normalizer therefore matters for *planning* (which rule is
// nested in which, which glob matches what), and there it must fold every alias onto one key.

/** A normalized absolute Windows path. */
export interface WindowsPath {
  /** Canonical display and API form: `C:\a\b`, `\\server\share\a`; roots keep their separator (`C:\`). */
  readonly path: string;
  /** Case-folded comparison key (NTFS compares names case-insensitively via its upcase table). */
  readonly key: string;
  readonly kind: "drive" | "unc";
  /** `C:\` or `\\server\share\` (canonical case: drive letter upper-case). */
  readonly root: string;
  /** Components below the root, canonical spelling. */
  readonly components: readonly string[];
  /** A component looked like an 8.3 short name (`PROGRA~1`) that no long-name fact resolved. */
  readonly unresolvedShortName: boolean;
  /** The input named an alternate data stream; the stream was folded onto its file. */
  readonly hadStream: boolean;
}

export type NormalizeResult = { readonly ok: true; readonly value: WindowsPath } | { readonly ok: false; readonly reason: string };

/** Context for the forms that are not self-contained. */
export interface NormalizeContext {
  /** Home directory for `~`, `~\…`, `~/…`. */
  readonly home?: string;
  /** Working directory: supplies the drive of a rooted path without one (`\x`, `/x`). */
  readonly cwd?: string;
  /**
   * Long-name facts (from GetLongPathNameW on the host): key of a normalized path → its long form.
   * Consulted for paths with a component that looks like an 8.3 short name.
   */
  readonly longNames?: Readonly<Record<string, string>>;
}

const SHORT_NAME = /^[^~.]{1,6}~[0-9]{1,6}(\.[^.]{0,3})?$/;
const INVALID_CHARS = /[<>"|?*\u0000-\u001f]/;
const DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

/** Case folding used for every comparison (upper-case, as NTFS's $UpCase table does). */
export function foldWindowsCase(text: string): string {
  return text.toUpperCase();
}

/**
 * Normalizes any absolute Windows path spelling. Relative, drive-relative (`C:x`), device-namespace
 * (`\\.\pipe\x`, `\\?\Volume{…}`, `\\?\GLOBALROOT`) and reserved device names (`NUL`, `COM1.txt`) are
 * rejected with a reason: cordon cannot attach an ACE to them.
 */
export function normalizeWindowsPath(input: string, ctx: NormalizeContext = {}): NormalizeResult {
  if (input === "") return fail("empty path");
  let text = input;
  if (text === "~" || text.startsWith("~/") || text.startsWith("~\\")) {
    if (ctx.home === undefined) return fail(`\`${input}\` needs a home directory`);
    text = text === "~" ? ctx.home : `${ctx.home}\\${text.slice(2)}`;
  }
  text = text.replaceAll("/", "\\");

  let verbatim = false;
  let root: { kind: "drive"; drive: string } | { kind: "unc"; server: string; share: string };
  let rest: string;
  const lower = text.toLowerCase();
  if (lower.startsWith("\\\\?\\unc\\") || lower.startsWith("\\??\\unc\\")) {
    verbatim = true;
    const unc = splitUnc(text.slice(8));
    if (!unc) return fail(`\`${input}\`: a \\\\?\\UNC\\ path needs a server and a share`);
    root = { kind: "unc", server: unc.server, share: unc.share };
    rest = unc.rest;
  } else if (/^\\\\[?.]\\|^\\\?\?\\/.test(text)) {
    verbatim = !text.startsWith("\\\\.\\");
    const body = text.slice(4);
    const drive = /^([A-Za-z]):(\\|$)/.exec(body);
    if (!drive) return fail(`\`${input}\` is a device-namespace path; cordon only places ACEs on drive and UNC paths`);
    root = { kind: "drive", drive: drive[1]!.toUpperCase() };
    rest = body.slice(2);
  } else if (text.startsWith("\\\\")) {
    const unc = splitUnc(text.slice(2));
    if (!unc) return fail(`\`${input}\`: a UNC path needs a server and a share`);
    root = { kind: "unc", server: unc.server, share: unc.share };
    rest = unc.rest;
  } else if (/^[A-Za-z]:\\/.test(text)) {
    root = { kind: "drive", drive: text[0]!.toUpperCase() };
    rest = text.slice(2);
  } else if (/^[A-Za-z]:/.test(text)) {
    return fail(`\`${input}\` is relative to the current directory of drive ${text[0]!.toUpperCase()}: (write ${text[0]!.toUpperCase()}:\\…)`);
  } else if (text.startsWith("\\")) {
    const cwdDrive = ctx.cwd === undefined ? undefined : /^([A-Za-z]):[\\/]/.exec(ctx.cwd)?.[1];
    if (cwdDrive === undefined) return fail(`\`${input}\` has no drive letter and the working directory names none`);
    root = { kind: "drive", drive: cwdDrive.toUpperCase() };
    rest = text;
  } else {
    return fail(`\`${input}\` is not an absolute Windows path`);
  }

  const components: string[] = [];
  let hadStream = false;
  for (const raw of rest.split("\\")) {
    if (raw === "" || raw === ".") continue;
    if (raw === "..") {
      components.pop();
      continue;
    }
    // An alternate data stream (`name:stream[:type]`, `name::$DATA`, `dir:$I30:$INDEX_ALLOCATION`) is
    // part of its file or directory: fold it onto the object, whose DACL covers every stream.
    let name = raw;
    const colon = name.indexOf(":");
    if (colon >= 0) {
      hadStream = true;
      name = name.slice(0, colon);
      if (name === "") continue; // `dir\:stream` is a stream of `dir` itself
    }
    if (!verbatim) {
      // Win32 drops trailing dots and spaces (`.env.` and `.env ` open `.env`).
      const trimmed = name.replace(/[. ]+$/, "");
      if (trimmed === "") return fail(`\`${input}\`: component \`${raw}\` names nothing once Windows drops its trailing dots and spaces`);
      if (DEVICE_NAMES.test(trimmed.replace(/ +$/, ""))) return fail(`\`${input}\`: \`${raw}\` is a reserved device name`);
      name = trimmed;
    }
    if (INVALID_CHARS.test(name)) return fail(`\`${input}\`: component \`${raw}\` contains a character Windows does not allow in file names`);
    components.push(name);
  }

  const rootText = root.kind === "drive" ? `${root.drive}:\\` : `\\\\${root.server}\\${root.share}\\`;
  let value = build(root.kind, rootText, components, hadStream);
  if (components.some((c) => SHORT_NAME.test(c))) {
    const long = resolveLongName(value, ctx.longNames);
    if (long) value = { ...long, hadStream };
    else value = { ...value, unresolvedShortName: true };
  }
  return { ok: true, value };
}

/** Like normalizeWindowsPath, but throws a TypeError (for paths the program built itself). */
export function mustNormalize(input: string, ctx: NormalizeContext = {}): WindowsPath {
  const result = normalizeWindowsPath(input, ctx);
  if (!result.ok) throw new TypeError(result.reason);
  return result.value;
}

/** True when `path` equals `root` or lies beneath it, component-wise and case-insensitively. */
export function isWithinWindows(path: WindowsPath, root: WindowsPath): boolean {
  if (foldWindowsCase(path.root) !== foldWindowsCase(root.root)) return false;
  if (root.components.length > path.components.length) return false;
  return root.components.every((c, i) => foldWindowsCase(c) === foldWindowsCase(path.components[i]!));
}

/** True when the path is a drive or share root (`C:\`, `\\server\share\`). */
export function isVolumeRoot(path: WindowsPath): boolean {
  return path.components.length === 0;
}

/** The form policy-model's glob matcher uses: `/` separators (`C:/a/b`, `//server/share/a`). */
export function toGlobForm(path: WindowsPath): string {
  return path.path.replaceAll("\\", "/");
}

/** Parent path; a volume root is its own parent. */
export function parentOf(path: WindowsPath): WindowsPath {
  if (path.components.length === 0) return path;
  return build(path.kind, path.root, path.components.slice(0, -1), false);
}

/** Every strict ancestor from the volume root down (excluding the path itself). */
export function ancestorsOf(path: WindowsPath): WindowsPath[] {
  const out: WindowsPath[] = [];
  for (let i = 0; i < path.components.length; i++) out.push(build(path.kind, path.root, path.components.slice(0, i), false));
  return out;
}

/** The verbatim form native Win32 calls use, so long paths and odd names reach the object as named. */
export function toVerbatim(path: WindowsPath): string {
  return path.kind === "drive" ? `\\\\?\\${path.path}` : `\\\\?\\UNC\\${path.path.slice(2)}`;
}

function build(kind: "drive" | "unc", root: string, components: readonly string[], hadStream: boolean): WindowsPath {
  const path = components.length === 0 ? root : root + components.join("\\");
  return { path, key: foldWindowsCase(path), kind, root, components, unresolvedShortName: false, hadStream };
}

function splitUnc(text: string): { server: string; share: string; rest: string } | null {
  const parts = text.split("\\");
  const server = parts[0] ?? "";
  const share = parts[1] ?? "";
  if (server === "" || share === "" || server === "." || server === "?") return null;
  return { server, share, rest: parts.slice(2).join("\\") };
}

/** Resolves the longest prefix with a long-name fact and re-appends the rest. */
function resolveLongName(value: WindowsPath, longNames: Readonly<Record<string, string>> | undefined): WindowsPath | null {
  if (!longNames) return null;
  for (let n = value.components.length; n > 0; n--) {
    const prefix = build(value.kind, value.root, value.components.slice(0, n), false);
    const long = longNames[prefix.key];
    if (long === undefined) continue;
    const resolved = normalizeWindowsPath(long);
    if (!resolved.ok) return null;
    const tail = value.components.slice(n);
    // The host said what the prefix's long name is; an unresolved short-looking name may remain below it.
    if (tail.some((c) => SHORT_NAME.test(c))) return null;
    return build(resolved.value.kind, resolved.value.root, [...resolved.value.components, ...tail], false);
  }
  return null;
}

function fail(reason: string): NormalizeResult {
  return { ok: false, reason };
}
