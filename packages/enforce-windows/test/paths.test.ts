// The Windows path normalizer: every alias of an object folds onto one key; unplaceable forms are refused.
import { describe, expect, it } from "vitest";
import { isWithinWindows, mustNormalize, normalizeWindowsPath, parentOf, toGlobForm, toVerbatim } from "../src/paths.js";

const key = (p: string, ctx = {}): string => {
  const r = normalizeWindowsPath(p, ctx);
  if (!r.ok) throw new Error(r.reason);
  return r.value.key;
};
const reason = (p: string, ctx = {}): string => {
  const r = normalizeWindowsPath(p, ctx);
  if (r.ok) throw new Error(`expected a refusal for ${p}, got ${r.value.path}`);
  return r.reason;
};

describe("normalizeWindowsPath", () => {
  const secret = key("C:\\Users\\u\\.env");

  it.each([
    ["forward slashes", "C:/Users/u/.env"],
    ["lower-case drive and mixed case", "c:\\users\\U\\.ENV"],
    ["repeated separators and dot segments", "C:\\\\Users\\.\\x\\..\\u\\\\.env"],
    ["trailing dot", "C:\\Users\\u\\.env."],
    ["trailing spaces and dots", "C:\\Users\\u\\.env . "],
    ["::$DATA stream", "C:\\Users\\u\\.env::$DATA"],
    ["named stream", "C:\\Users\\u\\.env:hidden"],
    ["named stream with type", "C:\\Users\\u\\.env:hidden:$DATA"],
    ["\\\\?\\ prefix", "\\\\?\\C:\\Users\\u\\.env"],
    ["\\??\\ NT prefix", "\\??\\C:\\Users\\u\\.env"],
    ["\\\\.\\ device prefix", "\\\\.\\C:\\Users\\u\\.env"],
    ["~\\ home form", "~\\.env"],
    ["~/ home form", "~/.env"],
    ["rooted path on the cwd's drive", "\\Users\\u\\.env"],
  ])("%s folds onto the same key", (_name, input) => {
    expect(key(input, { home: "C:\\Users\\u", cwd: "C:\\work" })).toBe(secret);
  });

  it("keeps a different name different (control)", () => {
    expect(key("C:\\Users\\u\\.envx")).not.toBe(secret);
    expect(key("C:\\Users\\u2\\.env")).not.toBe(secret);
    expect(key("D:\\Users\\u\\.env")).not.toBe(secret);
  });

  it("directory index streams fold onto the directory", () => {
    expect(key("C:\\secrets:$I30:$INDEX_ALLOCATION\\a")).toBe(key("C:\\secrets\\a"));
    expect(key("C:\\secrets\\:stream")).toBe(key("C:\\secrets"));
    expect(mustNormalize("C:\\x\\f::$DATA").hadStream).toBe(true);
    expect(mustNormalize("C:\\x\\f").hadStream).toBe(false);
  });

  it("canonical form: upper-case drive, backslashes, root keeps its separator", () => {
    expect(mustNormalize("c:/a/b/").path).toBe("C:\\a\\b");
    expect(mustNormalize("c:/").path).toBe("C:\\");
    expect(mustNormalize("C:\\..\\..").path).toBe("C:\\");
  });

  it("UNC and \\\\?\\UNC\\ name the same share path", () => {
    expect(key("\\\\Server\\Share\\dir\\f.txt")).toBe(key("\\\\?\\UNC\\server\\share\\DIR\\f.txt"));
    expect(key("//server/share/dir/f.txt")).toBe(key("\\\\server\\share\\dir\\f.txt"));
    const unc = mustNormalize("\\\\server\\share\\dir");
    expect(unc.kind).toBe("unc");
    expect(unc.root).toBe("\\\\server\\share\\");
    expect(key("\\\\server\\share\\dir")).not.toBe(key("\\\\server\\other\\dir"));
  });

  it("\\\\?\\ paths keep trailing dots (Win32 does not strip them there)", () => {
    expect(key("\\\\?\\C:\\x\\.env.")).not.toBe(key("C:\\x\\.env"));
    expect(mustNormalize("\\\\?\\C:\\x\\.env.").path).toBe("C:\\x\\.env.");
  });

  it("8.3 short names resolve through long-name facts", () => {
    const longNames = { [key("C:\\PROGRA~1")]: "C:\\Program Files" };
    const r = mustNormalize("C:\\progra~1\\App\\secret.txt", { longNames });
    expect(r.path).toBe("C:\\Program Files\\App\\secret.txt");
    expect(r.unresolvedShortName).toBe(false);
    const deeper = { [key("C:\\Users\\ALICE~1.SMI\\repo")]: "C:\\Users\\alice.smith\\repo" };
    expect(mustNormalize("C:\\Users\\ALICE~1.SMI\\repo\\.env", { longNames: deeper }).key).toBe(key("C:\\Users\\alice.smith\\repo\\.env"));
  });

  it("flags an 8.3-looking name without a fact", () => {
    expect(mustNormalize("C:\\Users\\SECRET~1.ENV").unresolvedShortName).toBe(true);
    expect(mustNormalize("C:\\Users\\secret.env").unresolvedShortName).toBe(false);
  });

  it.each([
    ["", "empty path"],
    ["relative\\x", "is not an absolute Windows path"],
    ["C:relative", "is relative to the current directory of drive C:"],
    ["C:", "is relative to the current directory of drive C:"],
    ["\\\\.\\pipe\\docker_engine", "is a device-namespace path"],
    ["\\\\?\\Volume{1234}\\x", "is a device-namespace path"],
    ["\\\\?\\GLOBALROOT\\Device\\x", "is a device-namespace path"],
    ["\\\\server", "a UNC path needs a server and a share"],
    ["\\\\?\\UNC\\server", "a \\\\?\\UNC\\ path needs a server and a share"],
    ["C:\\x\\NUL", "is a reserved device name"],
    ["C:\\x\\com1.txt", "is a reserved device name"],
    ["C:\\x\\a*b", "contains a character Windows does not allow"],
    ["C:\\x\\...", "names nothing once Windows drops its trailing dots and spaces"],
  ])("refuses %j", (input, expected) => {
    expect(reason(input)).toContain(expected);
  });

  it("a drive-less rooted path needs a drive from the cwd; ~ needs a home", () => {
    expect(reason("\\x")).toContain("has no drive letter");
    expect(reason("~\\x")).toContain("needs a home directory");
    expect(mustNormalize("/x", { cwd: "d:/work" }).path).toBe("D:\\x");
  });

  it("containment is component-wise and case-insensitive", () => {
    const repo = mustNormalize("C:\\Repo\\A");
    expect(isWithinWindows(mustNormalize("c:\\repo\\a\\b"), repo)).toBe(true);
    expect(isWithinWindows(mustNormalize("C:\\repo\\a"), repo)).toBe(true);
    expect(isWithinWindows(mustNormalize("C:\\repo\\ab"), repo)).toBe(false);
    expect(isWithinWindows(mustNormalize("D:\\repo\\a\\b"), repo)).toBe(false);
    expect(isWithinWindows(mustNormalize("C:\\x"), mustNormalize("C:\\"))).toBe(true);
  });

  it("glob, verbatim and parent forms", () => {
    expect(toGlobForm(mustNormalize("C:\\a\\b"))).toBe("C:/a/b");
    expect(toVerbatim(mustNormalize("C:\\a"))).toBe("\\\\?\\C:\\a");
    expect(toVerbatim(mustNormalize("\\\\s\\sh\\a"))).toBe("\\\\?\\UNC\\s\\sh\\a");
    expect(parentOf(mustNormalize("C:\\a\\b")).path).toBe("C:\\a");
    expect(parentOf(mustNormalize("C:\\")).path).toBe("C:\\");
  });
});
