// Tests for lexical path normalization, home expansion and component-wise containment.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { expandHome, isAbsolutePath, isWithin, normalizeAbsolute, parentPath, pathComponents, pathDepth, rootPrefixOf, samePath } from "../../src/filesystem/paths.js";

describe("normalizeAbsolute", () => {
  it.each([
    ["/", "/"],
    ["//", "/"],
    ["/repo/", "/repo"],
    ["/repo//a///b/", "/repo/a/b"],
    ["/repo/./a/.", "/repo/a"],
    ["/repo/a/../b", "/repo/b"],
    ["/../..", "/"],
    ["/a/b/../../..", "/"],
    ["/a\\b", "/a\\b"], // a backslash is an ordinary character in POSIX names
    ["C:\\Users\\u\\repo\\", "C:/Users/u/repo"],
    ["c:/Users/../x", "C:/x"],
    ["C:\\..", "C:/"],
    ["C:/", "C:/"],
  ])("%s -> %s", (input, expected) => {
    expect(normalizeAbsolute(input)).toBe(expected);
  });

  it("rejects relative paths (callers validate user input first)", () => {
    expect(() => normalizeAbsolute("repo/a")).toThrow(/not an absolute path/);
    expect(() => normalizeAbsolute("C:repo")).toThrow(/not an absolute path/);
    expect(() => normalizeAbsolute("")).toThrow(/not an absolute path/);
  });

  it("is idempotent and never leaves empty, . or .. components", () => {
    const segment = fc.constantFrom("a", "b", ".", "..", "", "x.y", ".git");
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), fc.boolean(), (parts, trailing) => {
        const once = normalizeAbsolute("/" + parts.join("/") + (trailing ? "/" : ""));
        expect(normalizeAbsolute(once)).toBe(once);
        expect(once === "/" || !once.endsWith("/")).toBe(true);
        for (const c of pathComponents(once)) expect(["", ".", ".."]).not.toContain(c);
      }),
    );
  });
});

describe("isWithin (component-wise)", () => {
  it.each([
    ["/repo/a", "/repo/a", true],
    ["/repo/a/b", "/repo/a", true],
    ["/repo/ab", "/repo/a", false],
    ["/repo/a.b", "/repo/a", false],
    ["/repo", "/repo/a", false],
    ["/anything", "/", true],
    ["/", "/", true],
    ["C:/x/y", "C:/x", true],
    ["C:/xy", "C:/x", false],
    ["C:/x", "C:/", true],
    ["/x", "C:/", false],
  ])("%s within %s = %s", (path, root, expected) => {
    expect(isWithin(path, root)).toBe(expected);
  });

  it("folds case only when asked (macOS, Windows)", () => {
    expect(isWithin("/Repo/Secrets/k", "/repo/secrets")).toBe(false);
    expect(isWithin("/Repo/Secrets/k", "/repo/secrets", false)).toBe(true);
    expect(isWithin("/Repo/SecretsX", "/repo/secrets", false)).toBe(false);
    expect(samePath("/A", "/a")).toBe(false);
    expect(samePath("/A", "/a", false)).toBe(true);
  });

  it("agrees with a component-array reference", () => {
    const name = fc.constantFrom("a", "ab", "b", "a.b", "A");
    fc.assert(
      fc.property(fc.array(name, { maxLength: 4 }), fc.array(name, { maxLength: 4 }), (p, r) => {
        const path = "/" + p.join("/");
        const root = "/" + r.join("/");
        const expected = r.length <= p.length && r.every((c, i) => c === p[i]);
        expect(isWithin(path, root)).toBe(expected);
      }),
    );
  });
});

describe("depth, parent, root, components", () => {
  it("counts components", () => {
    expect(pathDepth("/")).toBe(0);
    expect(pathDepth("/repo")).toBe(1);
    expect(pathDepth("/repo/a/b")).toBe(3);
    expect(pathDepth("C:/")).toBe(0);
    expect(pathDepth("C:/x/y")).toBe(2);
    expect(pathComponents("/a/b")).toEqual(["a", "b"]);
  });
  it("parents stop at the root", () => {
    expect(parentPath("/a/b")).toBe("/a");
    expect(parentPath("/a")).toBe("/");
    expect(parentPath("/")).toBe("/");
    expect(parentPath("C:/a")).toBe("C:/");
    expect(parentPath("C:/")).toBe("C:/");
    expect(rootPrefixOf("c:\\x")).toBe("C:/");
  });
});

describe("absolute paths and ~", () => {
  it("is platform-specific", () => {
    expect(isAbsolutePath("/x", "linux")).toBe(true);
    expect(isAbsolutePath("x", "linux")).toBe(false);
    expect(isAbsolutePath("C:\\x", "linux")).toBe(false);
    expect(isAbsolutePath("C:\\x", "windows")).toBe(true);
    expect(isAbsolutePath("C:/x", "windows")).toBe(true);
    expect(isAbsolutePath("\\x", "windows")).toBe(false); // drive-relative
    expect(isAbsolutePath("C:x", "windows")).toBe(false);
  });
  it("expands ~ and ~/ only", () => {
    expect(expandHome("~", "/home/u", "linux")).toBe("/home/u");
    expect(expandHome("~/a/b", "/home/u", "linux")).toBe("/home/u/a/b");
    expect(expandHome("~root/x", "/home/u", "linux")).toBeNull();
    expect(expandHome("/abs", "/home/u", "linux")).toBeNull();
    expect(expandHome("~\\x", "/home/u", "linux")).toBeNull();
    expect(expandHome("~\\x", "C:/Users/u", "windows")).toBe("C:/Users/u/x");
  });
});
