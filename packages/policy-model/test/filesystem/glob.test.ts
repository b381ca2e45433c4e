// Tests for the deny-glob grammar and matcher (spec 4.5), including micromatch pitfalls.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compileGlob, compileNameFilter, escapeGlobLiteral, globMatches, GlobSyntaxError, hasGlobChars, parseGlob, serializeGlob } from "../../src/filesystem/glob.js";
import { referenceMatch } from "./glob-reference.js";

const yes = (pattern: string, path: string, cs = true): void => expect(globMatches(pattern, path, cs), `${pattern} ~ ${path}`).toBe(true);
const no = (pattern: string, path: string, cs = true): void => expect(globMatches(pattern, path, cs), `${pattern} !~ ${path}`).toBe(false);

describe("wildcards", () => {
  it("* and ? stay within one component", () => {
    yes("/r/*.env", "/r/a.env");
    no("/r/*.env", "/r/a/b.env");
    yes("/r/?.env", "/r/a.env");
    no("/r/?.env", "/r/ab.env");
    no("/r/a?b", "/r/a/b");
    no("/r/a*b", "/r/a/b");
  });
  it("** as a whole component crosses directories, including none", () => {
    yes("/r/**/*.env", "/r/.env");
    yes("/r/**/*.env", "/r/x.env");
    yes("/r/**/*.env", "/r/a/b/c/x.env");
    no("/r/**/*.env", "/other/x.env");
    yes("/r/secrets/**", "/r/secrets");
    yes("/r/secrets/**", "/r/secrets/a/b");
    no("/r/secrets/**", "/r/secretsX");
    yes("/r/a/**/b", "/r/a/b");
  });
  it("a trailing /** also matches zero components after a wildcard (micromatch alone misses this)", () => {
    yes("/r/*/**", "/r/a");
    yes("/r/*/**/**", "/r/a");
    yes("/r/{*/**,b}", "/r/a");
    no("/r/*/**", "/r");
  });
  it("** inside a component acts like *", () => {
    yes("/r/a**b", "/r/axxb");
    no("/r/a**b", "/r/a/x/b");
  });
  it("dotfiles and dot directories match every wildcard (dot:true)", () => {
    yes("/r/*", "/r/.env");
    yes("/r/**/*.pem", "/r/.ssh/.k.pem");
    yes("/r/**/id_rsa", "/r/.ssh/id_rsa");
    yes("/r/?env", "/r/.env");
  });
  it("case: sensitive on Linux, insensitive when asked (macOS, Windows)", () => {
    no("/r/**/*.env", "/r/X.ENV", true);
    yes("/r/**/*.env", "/r/X.ENV", false);
    yes("/R/Secrets/**", "/r/secrets/k", false);
    no("/R/Secrets/**", "/r/secrets/k", true);
  });
  it("a newline in a name is still matched by * (dotAll)", () => {
    yes("/r/*.env", "/r/\n.env");
    yes("/r/*", "/r/\n");
  });
});

describe("classes", () => {
  it("ranges, sets and negation (both ! and ^)", () => {
    yes("/r/[a-c]x", "/r/bx");
    no("/r/[a-c]x", "/r/dx");
    yes("/r/[!a]x", "/r/bx"); // micromatch alone gets this one backwards: see glob.ts
    no("/r/[!a]x", "/r/ax");
    yes("/r/[^a]x", "/r/bx");
    no("/r/[^a]x", "/r/ax");
    no("/r/[!a]x", "/r//x");
  });
  it("] first is a member; - at the edges is literal; escapes work inside", () => {
    yes("/r/[]a]", "/r/]");
    yes("/r/[]a]", "/r/a");
    yes("/r/[!]a]", "/r/b");
    no("/r/[!]a]", "/r/]");
    yes("/r/[-a]", "/r/-");
    yes("/r/[a-]", "/r/-");
    yes("/r/[\\]]", "/r/]");
    yes("/r/[\\\\]", "/r/\\");
  });
  it("an unclosed [ and a class spanning / are literal", () => {
    yes("/r/[abc", "/r/[abc");
    no("/r/[abc", "/r/a");
    yes("/r/*[", "/r/x[");
    yes("/r/[a/b]", "/r/[a/b]");
    no("/r/[a/b]", "/r/a");
    yes("/r/a]", "/r/a]");
  });
  it("rejects POSIX classes and reversed ranges instead of guessing", () => {
    expect(() => parseGlob("/r/[[:alpha:]]")).toThrow(GlobSyntaxError);
    expect(() => parseGlob("/r/[z-a]")).toThrow(/reversed/);
    // globMatches fails closed on an invalid pattern: it matches everything.
    yes("/r/[z-a]", "/anything/at/all");
    expect(compileGlob("/r/[z-a]", true)).toBeNull();
  });
});

describe("braces", () => {
  it("alternation, nesting, spanning /, ranges", () => {
    yes("/r/{a,b}/x", "/r/b/x");
    no("/r/{a,b}/x", "/r/c/x");
    yes("/r/*.{env,pem}", "/r/k.pem");
    yes("/r/{a,{b,c}}", "/r/c");
    yes("/r/{a/b,c}/x", "/r/a/b/x");
    yes("/r/{1..3}", "/r/2");
    no("/r/{1..3}", "/r/4");
    yes("/r/{a..c}", "/r/b");
    yes("/r/{**/x,y}", "/r/a/b/x");
  });
  it("a group without a comma, or unclosed, is literal", () => {
    yes("/r/{a}", "/r/{a}");
    no("/r/{a}", "/r/a");
    yes("/r/{a", "/r/{a");
    yes("/r/a}", "/r/a}");
  });
});

describe("everything else is literal (no extglobs, regex groups, negation, quotes)", () => {
  it.each([
    ["/r/(a|b)", "/r/(a|b)", "/r/a"],
    ["/r/a|b", "/r/a|b", "/r/a"],
    ["/r/+(a)", "/r/+(a)", "/r/aa"],
    ["/r/@(a)", "/r/@(a)", "/r/a"],
    ["/r/!(a)", "/r/!(a)", "/r/b"],
    ['/r/"a*"', '/r/"abc"', "/r/abc"],
    ["/r/a.b", "/r/a.b", "/r/aXb"],
    ["/r/$^x", "/r/$^x", "/r/x"],
    ["/r/a,b", "/r/a,b", "/r/a"],
  ])("%s matches %s but not %s", (pattern, literal, other) => {
    yes(pattern, literal);
    no(pattern, other);
  });
  it("backslash escapes a glob character", () => {
    yes("/r/a\\*b", "/r/a*b");
    no("/r/a\\*b", "/r/axb");
    yes("/r/\\[x\\]", "/r/[x]");
    no("/r/\\[x\\]", "/r/x");
  });
});

describe("escapeGlobLiteral / serializeGlob", () => {
  it("an escaped literal path matches exactly itself", () => {
    for (const name of ["/r/[x]", "/r/a*b", "/r/{a,b}", "/r/(x)|y", "/r/a\\b", "/r/!x", '/r/"q"', "/r/$x^"]) {
      yes(`${escapeGlobLiteral(name)}/**`, `${name}/k`);
      yes(escapeGlobLiteral(name), name);
      expect(serializeGlob(parseGlob(escapeGlobLiteral(name)))).toBe(escapeGlobLiteral(name));
    }
    no(`${escapeGlobLiteral("/r/[x]")}/**`, "/r/x/k");
  });
  it("hasGlobChars recognizes * ? [ ] { }", () => {
    for (const t of ["a*", "a?", "[a", "a]", "{a", "a}"]) expect(hasGlobChars(t)).toBe(true);
    for (const t of ["/a/b", "a(b)|c", "a!b", "a\\b"]) expect(hasGlobChars(t)).toBe(false);
  });
});

describe("property: globMatches agrees with an independent reference", () => {
  const component = fc.constantFrom(
    "a", "b", "ab", ".env", "x.env", "c.pem", "A", "*", "**", "?", "*.env", "a*", "*b", "?b", "[ab]", "[!a]", "[^b]*",
    "[a-c]", "{a,b}", "{*.env,c.pem}", "x{a,b}", "\\*", "a\\?", "[", "]", "(a)", "!a", "{a}",
    "{a/b,c}", "{**,x}", "{*/**,b}", "{a,b/**}", "[!a-b]*",
  );
  const name = fc.constantFrom("a", "b", "ab", ".env", "x.env", "c.pem", "A", "*", "?", "[ab]", "aa", "ba", "(a)", "!a", "{a}", "X.ENV", "B");
  it("on generated patterns and paths (both case modes)", () => {
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 4 }), fc.array(name, { minLength: 0, maxLength: 5 }), fc.boolean(), (pc, nc, cs) => {
        const pattern = "/r/" + pc.join("/");
        const path = "/r" + nc.map((n) => "/" + n).join("");
        expect(globMatches(pattern, path, cs), `${pattern} vs ${path} (caseSensitive=${cs})`).toBe(referenceMatch(pattern, path, cs));
      }),
      { numRuns: 3000 },
    );
  });

  it("the expander's name filter never rejects a name whose full path matches", () => {
    let filtered = 0;
    fc.assert(
      fc.property(fc.array(component, { minLength: 1, maxLength: 4 }), fc.array(name, { minLength: 1, maxLength: 5 }), fc.boolean(), (pc, nc, cs) => {
        const pattern = "/r/" + pc.join("/");
        const path = "/r/" + nc.join("/");
        const filter = compileNameFilter(pattern, cs);
        if (filter === null) return;
        filtered++;
        if (globMatches(pattern, path, cs)) expect(filter(nc[nc.length - 1]!), `${pattern} vs ${path}`).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(filtered).toBeGreaterThan(1000); // the property was exercised, not skipped
  });
  it("has fast paths for the usual shapes, and none after a trailing ** or a spanning brace", () => {
    expect(compileNameFilter("/r/**/*.env", true)!("x.env")).toBe(true);
    expect(compileNameFilter("/r/**/*.env", true)!("x.envx")).toBe(false);
    expect(compileNameFilter("/r/**/id_rsa", true)!("id_rsa")).toBe(true);
    expect(compileNameFilter("/r/**/id_*", true)!("id_ed25519")).toBe(true);
    expect(compileNameFilter("/r/**/*.ENV", false)!("x.env")).toBe(true);
    expect(compileNameFilter("/r/secrets/**", true)).toBeNull();
    expect(compileNameFilter("/r/{a/b,c}", true)).toBeNull();
    expect(compileNameFilter("/r/[z-a]", true)).toBeNull();
  });
});
