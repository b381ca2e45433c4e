// Tests for expandDenyGlobs on real trees: one walk per base, depth limits, pruning, symlinks,
// canonical paths, fail-closed errors, the match cap, and a property test against a reference walk.
import { chmodSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CordonError } from "../../src/errors.js";
import { expandDenyGlobs, MAX_DENY_GLOB_MATCHES, type GlobExpansion } from "../../src/filesystem/expand.js";
import { escapeGlobLiteral } from "../../src/filesystem/glob.js";
import type { DenyGlob } from "../../src/resolved-policy.js";
import { referenceMatch } from "./glob-reference.js";
import { CONFIG, tempDir } from "./helpers.js";

function glob(base: string, rest: string, line = 9): DenyGlob {
  return { pattern: `${escapeGlobLiteral(base)}/${rest}`, base, origin: { kind: "file", file: CONFIG, line }, entry: `:workspace_roots ${rest}` };
}

/** Creates files (and directories for paths ending in "/") below `root`. */
function tree(root: string, paths: readonly string[]): void {
  for (const p of paths) {
    if (p.endsWith("/")) mkdirSync(join(root, p), { recursive: true });
    else {
      mkdirSync(join(root, p, ".."), { recursive: true });
      writeFileSync(join(root, p), "x");
    }
  }
}

const rel = (root: string, e: GlobExpansion): string[] => e.matches.map((m) => m.path.slice(root.length + 1) || ".").sort();

function scanError(run: () => unknown): CordonError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(CordonError);
    return e as CordonError;
  }
  throw new Error("expected E_GLOB_SCAN");
}

describe("matches", () => {
  it("finds every match of every glob under a base in one walk, dotfiles included", () => {
    const root = tempDir();
    tree(root, [".env", "a/prod.env", "a/.cfg/x.env", "a/b/c/id_rsa", "k.pem", "a/k.pem.bak", "src/main.ts", ".hidden/.env"]);
    const globs = [glob(root, "**/*.env"), glob(root, "**/*.pem"), glob(root, "**/id_rsa")];
    const out = expandDenyGlobs(globs, { maxDepth: null, caseSensitive: true });
    expect(rel(root, out)).toEqual([".env", ".hidden/.env", "a/.cfg/x.env", "a/b/c/id_rsa", "a/prod.env", "k.pem"]);
    expect(out.matches.find((m) => m.path.endsWith("k.pem"))!.glob).toBe(globs[1]);
    expect(out.matches.every((m) => m.canonical === null)).toBe(true);
    // One walk: every entry below the base counted exactly once although there are three globs.
    const all = readdirSync(root, { recursive: true }).length;
    expect(out.scannedEntries).toBe(all);
  });
  it("a matched directory is reported and not descended into; the base itself can match", () => {
    const root = tempDir();
    tree(root, ["web/node_modules/pkg/x.env", "web/node_modules/.bin/", "secrets/a/b", "web/ok.txt"]);
    const out = expandDenyGlobs([glob(root, "**/node_modules"), glob(root, "**/*.env"), glob(join(root, "secrets"), "**")], { maxDepth: null, caseSensitive: true });
    expect(rel(root, out)).toEqual(["secrets", "web/node_modules"]);
  });
  it("a missing base has no matches and is not an error", () => {
    const root = tempDir();
    expect(expandDenyGlobs([glob(join(root, "nope"), "**/*.env")], { maxDepth: null, caseSensitive: true }).matches).toEqual([]);
    writeFileSync(join(root, "file"), "");
    expect(expandDenyGlobs([glob(join(root, "file"), "*.env")], { maxDepth: null, caseSensitive: true }).matches).toEqual([]);
  });
  it("case-insensitive on request, including literal directory parts", () => {
    const root = tempDir();
    tree(root, ["A/Secrets/K.ENV", "a/other/k.env"]);
    const globs = [glob(root, "*/secrets/*.env")];
    expect(rel(root, expandDenyGlobs(globs, { maxDepth: null, caseSensitive: true }))).toEqual([]);
    expect(rel(root, expandDenyGlobs(globs, { maxDepth: null, caseSensitive: false }))).toEqual(["A/Secrets/K.ENV"]);
  });
});

describe("depth (glob_scan_max_depth)", () => {
  it("depth 1 = entries directly in the base; deeper matches are left alone", () => {
    const root = tempDir();
    tree(root, [".env", "d0/a.env", "d0/s0/x.env", "deep/a/b/c/d/e/deep.env"]);
    const g = [glob(root, "**/*.env")];
    expect(rel(root, expandDenyGlobs(g, { maxDepth: 1, caseSensitive: true }))).toEqual([".env"]);
    expect(rel(root, expandDenyGlobs(g, { maxDepth: 2, caseSensitive: true }))).toEqual([".env", "d0/a.env"]);
    expect(rel(root, expandDenyGlobs(g, { maxDepth: 4, caseSensitive: true }))).toEqual([".env", "d0/a.env", "d0/s0/x.env"]);
    expect(rel(root, expandDenyGlobs(g, { maxDepth: null, caseSensitive: true }))).toEqual([".env", "d0/a.env", "d0/s0/x.env", "deep/a/b/c/d/e/deep.env"]);
  });
  it("counts from each glob's own base", () => {
    const root = tempDir();
    tree(root, ["conf/a/x.env", "x.env"]);
    const out = expandDenyGlobs([glob(join(root, "conf"), "**/*.env"), glob(root, "*.env")], { maxDepth: 2, caseSensitive: true });
    expect(rel(root, out)).toEqual(["conf/a/x.env", "x.env"]);
  });
});

describe("pruning", () => {
  it("does not descend where the glob's literal parts cannot match (control: same tree, ** glob walks all)", () => {
    const root = tempDir();
    const bulk = Array.from({ length: 40 }, (_, i) => `other/d${i}/f.txt`);
    tree(root, ["pkg/node_modules/a/x.js", "pkg/src/y.js", ...bulk]);
    const pruned = expandDenyGlobs([glob(root, "*/node_modules/**")], { maxDepth: null, caseSensitive: true });
    expect(rel(root, pruned)).toEqual(["pkg/node_modules"]);
    const full = expandDenyGlobs([glob(root, "**/node_modules/**")], { maxDepth: null, caseSensitive: true });
    expect(rel(root, full)).toEqual(["pkg/node_modules"]);
    // Pruned: the base (pkg, other), pkg (node_modules, src), other (d0..d39) — nothing inside src or dN.
    expect(pruned.scannedEntries).toBe(2 + 2 + 40);
    // Unpruned: the same plus src/y.js and the file inside each dN.
    expect(full.scannedEntries).toBe(2 + 2 + 40 + 1 + 40);
  });
  it("a brace group spanning / is never pruned wrongly", () => {
    const root = tempDir();
    tree(root, ["a/b/k.env", "c/k.env", "d/k.env"]);
    expect(rel(root, expandDenyGlobs([glob(root, "{a/b,c}/*.env")], { maxDepth: null, caseSensitive: true }))).toEqual(["a/b/k.env", "c/k.env"]);
  });
});

describe("symlinks", () => {
  it("reports a matching symlink with its canonical target and never follows symlinked directories", () => {
    const root = tempDir();
    const outside = tempDir();
    tree(outside, ["real.env", "dir/inner.env"]);
    tree(root, ["plain.txt"]);
    symlinkSync(join(outside, "real.env"), join(root, "link.env"));
    symlinkSync(join(outside, "dir"), join(root, "linkdir"));
    symlinkSync(join(root, "nowhere"), join(root, "dangling.env"));
    symlinkSync(".", join(root, "loop"));
    symlinkSync("self.env", join(root, "self.env"));
    const out = expandDenyGlobs([glob(root, "**/*.env"), glob(root, "**/inner.env")], { maxDepth: null, caseSensitive: true });
    expect(rel(root, out)).toEqual(["dangling.env", "link.env", "self.env"]);
    expect(out.matches.find((m) => m.path.endsWith("self.env"))!.canonical).toBeNull();
    expect(out.matches.find((m) => m.path.endsWith("link.env"))!.canonical).toBe(join(outside, "real.env"));
    expect(out.matches.find((m) => m.path.endsWith("dangling.env"))!.canonical).toBeNull();
  });
  it("a base reached through a symlink is followed and every match carries its canonical path", () => {
    const real = tempDir();
    const links = tempDir();
    tree(real, ["a/x.env"]);
    symlinkSync(real, join(links, "ws"));
    const out = expandDenyGlobs([glob(join(links, "ws"), "**/*.env")], { maxDepth: null, caseSensitive: true });
    expect(out.matches).toEqual([{ path: join(links, "ws", "a", "x.env"), glob: expect.anything(), canonical: join(real, "a", "x.env") }]);
  });
});

describe("fail closed (E_GLOB_SCAN)", () => {
  it("a symlink loop in the base path (ELOOP) refuses the run, naming the glob and the path", () => {
    const root = tempDir();
    symlinkSync("loop", join(root, "loop"));
    const g = glob(join(root, "loop", "sub"), "**/*.env", 4);
    const e = scanError(() => expandDenyGlobs([g], { maxDepth: null, caseSensitive: true }));
    expect(e.code).toBe("E_GLOB_SCAN");
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain(`\`${g.pattern}\``);
    expect(e.message).toContain(`at ${join(root, "loop", "sub")}: ELOOP`);
    expect(e.message).toContain("refusing to run (fail closed)");
    expect(e.message.startsWith(`${CONFIG}:4: `)).toBe(true);
  });

  const isRoot = process.getuid?.() === 0;
  if (isRoot) console.warn("expand.test: running as root; the EACCES case drops the effective uid to nobody (65534) around the walk, because root bypasses permission bits");
  it("an unreadable directory (EACCES) refuses the run; a readable sibling tree (control) expands", () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    tree(root, ["ok/a.env", "locked/b.env"]);
    chmodSync(join(root, "ok"), 0o755);
    chmodSync(join(root, "locked"), 0o000);
    const walk = (base: string): GlobExpansion => {
      if (isRoot) process.seteuid!(65534);
      try {
        return expandDenyGlobs([glob(base, "**/*.env")], { maxDepth: null, caseSensitive: true });
      } finally {
        if (isRoot) process.seteuid!(0);
      }
    };
    try {
      expect(rel(join(root, "ok"), walk(join(root, "ok")))).toEqual(["a.env"]);
      const e = scanError(() => walk(root));
      expect(e.code).toBe("E_GLOB_SCAN");
      expect(e.message).toContain(`at ${join(root, "locked")}: EACCES`);
    } finally {
      chmodSync(join(root, "locked"), 0o755);
    }
  });

  it(`more than ${MAX_DENY_GLOB_MATCHES} matches refuses the run (control: exactly the cap passes)`, () => {
    // The cap counts matches, so 64 globs over 128 files reach it without creating 8192 files.
    const root = tempDir();
    for (let i = 0; i < 128; i++) writeFileSync(join(root, `f${i}.env`), "");
    const globs = Array.from({ length: 64 }, (_, i) => glob(root, "*.env", i));
    expect(64 * 128).toBe(MAX_DENY_GLOB_MATCHES);
    expect(expandDenyGlobs(globs, { maxDepth: null, caseSensitive: true }).matches).toHaveLength(MAX_DENY_GLOB_MATCHES);
    writeFileSync(join(root, "extra.env"), "");
    const e = scanError(() => expandDenyGlobs(globs, { maxDepth: null, caseSensitive: true }));
    expect(e.message).toContain(`matched more than ${MAX_DENY_GLOB_MATCHES} paths`);
  });

  it("an invalid pattern refuses the run", () => {
    const root = tempDir();
    const bad: DenyGlob = { pattern: `${root}/[z-a]`, base: root, origin: { kind: "builtin" }, entry: "x" };
    expect(scanError(() => expandDenyGlobs([bad], { maxDepth: null, caseSensitive: true })).message).toContain("not a valid glob");
  });
});

describe("property: expansion equals a reference walk of generated trees", () => {
  const names = ["a", "b", ".env", "x.env", "k.pem", "node_modules", ".git", "A.ENV"];
  const node: fc.Arbitrary<string[]> = fc.array(fc.tuple(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }), fc.boolean()), { maxLength: 14 }).map((list) =>
    list.map(([parts, isDir]) => parts.join("/") + (isDir ? "/" : "")),
  );
  // Symlinks to directories (followed by nothing), to loops and to nowhere.
  const links = fc.array(fc.tuple(fc.constantFrom("a", "b", "a/x.env", "l.env", "a/node_modules", "b/a"), fc.constantFrom(".", "..", "a", "nowhere", "/")), { maxLength: 3 });
  const globRest = fc.constantFrom("**/*.env", "*.env", "**/node_modules", "a/**", "*/*.pem", "**/a/*", "b/**/x.env", "{a,b}/*", "**/.git/**", "**/?.env", "[ab]/**/*.pem");

  /** Reference: list everything without following symlinks, then filter by depth, match, and masked ancestors. */
  function reference(base: string, rests: string[], maxDepth: number | null, cs: boolean): string[] {
    const patterns = rests.map((r) => `${base}/${r}`);
    const hit = (p: string): boolean => patterns.some((pat) => referenceMatch(pat, p, cs));
    if (hit(base)) return ["."];
    const out: string[] = [];
    const visit = (dir: string, depth: number): void => {
      for (const name of readdirSync(dir)) {
        const p = `${dir}/${name}`;
        if (maxDepth !== null && depth > maxDepth) continue;
        if (hit(p)) {
          out.push(p.slice(base.length + 1));
          continue; // masked as a whole
        }
        if (lstatSync(p).isDirectory()) visit(p, depth + 1);
      }
    };
    visit(base, 1);
    return out.sort();
  }

  it("for random trees, globs, depths and case modes", () => {
    fc.assert(
      fc.property(node, links, fc.uniqueArray(globRest, { minLength: 1, maxLength: 4 }), fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }), fc.boolean(), (paths, symlinks, rests, maxDepth, cs) => {
        const root = tempDir();
        for (const p of paths) {
          try {
            tree(root, [p]);
          } catch {
            // a generated path may need a directory where a file already is; skip that entry
          }
        }
        for (const [at, target] of symlinks) {
          try {
            symlinkSync(target, join(root, at));
          } catch {
            // the name is taken or its directory is missing; skip
          }
        }
        const out = expandDenyGlobs(rests.map((r) => glob(root, r)), { maxDepth, caseSensitive: cs });
        const got = [...new Set(rel(root, out))].sort();
        expect(got, JSON.stringify({ paths, rests, maxDepth, cs })).toEqual(reference(root, rests, maxDepth, cs));
      }),
      { numRuns: 80 },
    );
  });
});
