import fc from "fast-check";
import { globMatches } from "@cordon/policy-model";
import { describe, expect, it } from "vitest";
import { anchoredRegex, compileDenyGlob, GlobCompileError } from "../src/glob-regex.js";

/**
 * JS equivalent of the Seatbelt filter `(require-all (subpath BASE) (regex R))`: our regex subset means
 * the same in JS; `subpath` is compared as the kernel resolves names on a case-insensitive volume.
 */
function seatbeltDenies(pattern: string, path: string): boolean {
  return compileDenyGlob(pattern).some((alt) => {
    const p = path.toLowerCase();
    const base = alt.base.toLowerCase();
    const inBase = p === base || p.startsWith(`${base}/`);
    if (!inBase) return false;
    if (alt.tail === null) return true;
    return new RegExp(anchoredRegex(alt.tail, alt.base.split("/").filter(Boolean).length)).test(path);
  });
}

/** The spec's meaning: the path or one of its ancestors matches the glob (case-insensitive on macOS). */
function specDenies(pattern: string, path: string): boolean {
  const parts = path.split("/").filter(Boolean);
  return parts.some((_, i) => globMatches(pattern, `/${parts.slice(0, i + 1).join("/")}`, false));
}

describe("compileDenyGlob: shapes", () => {
  it("splits the literal base from the tail and never puts base text in the regex", () => {
    const [alt] = compileDenyGlob("/Users/u/repo/**/*.env");
    expect(alt).toEqual({ base: "/Users/u/repo", tail: "(/.*)?/[^/]*[.][eE][nN][vV](/.*)?", baseDepth: 3 });
    expect(anchoredRegex(alt!.tail!, 3)).toBe("^/[^/]+/[^/]+/[^/]+(/.*)?/[^/]*[.][eE][nN][vV](/.*)?$");
  });

  it("maps * ? ** [..] and folds letters into [xX] classes", () => {
    expect(compileDenyGlob("/b/x?y")[0]!.tail).toBe("/[xX][^/][yY](/.*)?");
    expect(compileDenyGlob("/b/a**c")[0]!.tail).toBe("/[aA][^/]*[cC](/.*)?");
    expect(compileDenyGlob("/b/**")[0]!.tail).toBe("(/.*)?");
    expect(compileDenyGlob("/b/[a-c]")[0]!.tail).toBe("/[a-cA-C](/.*)?");
    expect(compileDenyGlob("/b/[!x]")[0]!.tail).toBe("/[^xX/](/.*)?");
    expect(compileDenyGlob("/b/[^0-9-]")[0]!.tail).toBe("/[^0-9/-](/.*)?");
  });

  it("writes regex metacharacters as one-character classes, never with backslashes", () => {
    expect(compileDenyGlob("/b/*.{tar.gz,zip}").map((a) => a.tail)).toEqual(["/[^/]*[.][tT][aA][rR][.][gG][zZ](/.*)?", "/[^/]*[.][zZ][iI][pP](/.*)?"]);
    expect(compileDenyGlob("/b/a+b$(c)|d{e}*")[0]!.tail).toBe("/[aA][+][bB][$][(][cC][)][|][dD][{][eE][}][^/]*(/.*)?");
    expect(compileDenyGlob("/b/*x[")[0]!.tail).toBe("/[^/]*[xX][[](/.*)?");
    expect(compileDenyGlob("/b/x[")).toEqual([{ base: "/b/x[", tail: null, baseDepth: 2 }]);
  });

  it("expands braces (nested, ranges) into separate alternatives, each with its own base", () => {
    expect(compileDenyGlob("/r/{a,b/c}/*.pem").map((a) => [a.base, a.tail])).toEqual([
      ["/r/a", "/[^/]*[.][pP][eE][mM](/.*)?"],
      ["/r/b/c", "/[^/]*[.][pP][eE][mM](/.*)?"],
    ]);
    expect(compileDenyGlob("/r/k{1..3}").map((a) => a.base)).toEqual(["/r/k1", "/r/k2", "/r/k3"]);
    expect(compileDenyGlob("/r/k{08..10}").map((a) => a.base)).toEqual(["/r/k08", "/r/k09", "/r/k10"]);
  });

  it("an alternative without wildcards is an exact path (subpath, no regex)", () => {
    expect(compileDenyGlob("/r/{x,y}")).toEqual([
      { base: "/r/x", tail: null, baseDepth: 2 },
      { base: "/r/y", tail: null, baseDepth: 2 },
    ]);
  });

  it("honours backslash escapes as literals", () => {
    expect(compileDenyGlob("/r/a\\*b")).toEqual([{ base: "/r/a*b", tail: null, baseDepth: 2 }]);
  });
});

describe("compileDenyGlob: refusals (fail closed, with the reason)", () => {
  const refuse = (pattern: string, reason: string): void => {
    expect(() => compileDenyGlob(pattern)).toThrow(GlobCompileError);
    expect(() => compileDenyGlob(pattern)).toThrow(reason);
  };
  it("refuses a glob without a non-root literal prefix", () => refuse("/**/*.env", "has no literal directory prefix below `/`"));
  it("refuses relative globs", () => refuse("**/*.env", "is not absolute"));
  it("refuses empty components", () => {
    refuse("/a//*.env", "has an empty path component");
    refuse("/a/*/", "has an empty path component");
  });
  it("refuses non-ASCII text after the prefix (case/normalization cannot be folded)", () => refuse("/a/*é.env", "contains the non-ASCII character `é`"));
  it("accepts non-ASCII text inside the literal base (it travels as a parameter)", () => {
    expect(compileDenyGlob("/a/café/*.env")[0]!.base).toBe("/a/café");
  });
  it("refuses characters that need dialect-specific escapes", () => {
    refuse("/a/*^x", "contains `^` after its literal prefix");
    refuse("/a/*]", "contains `]` after its literal prefix");
    refuse('/a/*"', 'contains `"` after its literal prefix');
    refuse("/a/*\\\\", "contains `\\` after its literal prefix");
    refuse("/a/[x\\]]", "inside a character class");
  });
  it("refuses ranges whose case cannot be folded", () => refuse("/a/[A-z]", "has the range `A-z`"));
  it("refuses POSIX classes and reversed ranges", () => {
    refuse("/a/[[:alpha:]]", "POSIX character classes");
    refuse("/a/[z-a]", "is reversed");
  });
  it("refuses control characters", () => refuse("/a/*\u0001", "control character"));
  it("refuses brace explosions", () => refuse("/a/{1..5000}", "has more than 256 values"));
  it("refuses . and .. in the base", () => refuse("/a/../b/*", "contains a `.` or `..` component"));
});

describe("deny-glob regexes agree with policy-model's globMatches", () => {
  const PATTERNS = [
    "/w/**/*.env",
    "/w/*.env",
    "/w/a/**",
    "/w/**/secrets",
    "/w/**/secrets/**",
    "/w/*/x?",
    "/w/[ab]/c*",
    "/w/[!a]*/k",
    "/w/{a,b}/*.{pem,key}",
    "/w/a**b/c",
    "/w/**/.git/hooks/*",
    "/w/x/**/y/**/z",
    "/w/k{1..3}/f",
    "/w/.ENV*",
  ];
  const COMPONENTS = ["a", "A", "b", "ab", "aXb", "c", "cc", "x", "x1", "xy", "k", "k2", "y", "z", "secrets", "SeCrEtS", ".env", ".ENV", "a.env", "x.Env", "k.pem", "k.KEY", ".git", "hooks", "pre-commit", "q.txt", "w", ".ENVrc", "B"];
  const pathArb = fc.array(fc.constantFrom(...COMPONENTS), { minLength: 0, maxLength: 5 }).map((parts) => `/w/${parts.join("/")}`.replace(/\/$/, ""));

  for (const pattern of PATTERNS) {
    it(`agrees on sampled paths for ${pattern}`, () => {
      fc.assert(
        fc.property(pathArb, (path) => {
          expect(seatbeltDenies(pattern, path), path).toBe(specDenies(pattern, path));
        }),
        { numRuns: 400, seed: 20260101 },
      );
    });
  }

  it("denies case variants such as .ENV and SECRETS/Key.Env (FS-21)", () => {
    expect(seatbeltDenies("/w/**/*.env", "/w/sub/.ENV")).toBe(true);
    expect(seatbeltDenies("/w/**/*.env", "/w/SECRETS/Key.Env")).toBe(true);
    expect(seatbeltDenies("/w/**/*.env", "/w/sub/env")).toBe(false);
    expect(seatbeltDenies("/w/**/*.env", "/other/.env")).toBe(false);
  });

  it("is anchored: a **/.env glob under one root does not match elsewhere, nor a sibling prefix (MAC-08)", () => {
    expect(seatbeltDenies("/w/a/**/.env", "/w/a/x/.env")).toBe(true);
    expect(seatbeltDenies("/w/a/**/.env", "/w/ab/.env")).toBe(false);
    expect(seatbeltDenies("/w/a/**/.env", "/w/.env")).toBe(false);
  });
});
