// Tests for findProtectedPaths on real directory trees (spec 4.4): states, gitdir files, ancestors,
// explicit write rules, policy paths and symlinked entries.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decidePath } from "../../src/filesystem/decide.js";
import { ancestorHasGitMetadata, findProtectedPaths, readGitdirPointer } from "../../src/filesystem/protected.js";
import type { ProtectedPath } from "../../src/resolved-policy.js";
import { policy, rule, tempDir } from "./helpers.js";

const summary = (list: ProtectedPath[]): string[] =>
  list.map((p) => `${p.reason}:${p.path}:${p.state}${p.preventCreation ? ":nocreate" : ""}${p.symlinkTarget === undefined ? "" : `:->${p.symlinkTarget}`}`);

describe("metadata under writable roots", () => {
  it("lists .git, .cordon, .codex, .agents with their state; missing ones are not creatable", () => {
    const root = tempDir();
    const repo = join(root, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    writeFileSync(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
    mkdirSync(join(repo, ".codex"));
    writeFileSync(join(repo, ".agents"), "not a dir");
    expect(summary(findProtectedPaths([rule(repo, "write")], []))).toEqual([
      `metadata:${repo}/.git:directory`,
      `metadata:${repo}/.cordon:missing:nocreate`,
      `metadata:${repo}/.codex:directory`,
      `metadata:${repo}/.agents:file`,
    ]);
    const git = findProtectedPaths([rule(repo, "write")], [])[0]!;
    expect(git).toMatchObject({ name: ".git", root: repo, reason: "metadata" });
  });
  it("read and deny rules are not writable roots (control)", () => {
    const root = tempDir();
    expect(findProtectedPaths([rule(root, "read"), rule(join(root, "x"), "deny")], [])).toEqual([]);
  });
  it("every distinct writable root is checked once", () => {
    const root = tempDir();
    const found = findProtectedPaths([rule(root, "write"), rule(root, "write"), rule(join(root, "sub"), "write")], []);
    expect(found.map((p) => p.path)).toEqual([".git", ".cordon", ".codex", ".agents"].flatMap((n) => [join(root, n)]).concat([".git", ".cordon", ".codex", ".agents"].map((n) => join(root, "sub", n))));
  });
  it("a missing .git is creatable only below an existing repository", () => {
    const root = tempDir();
    const sub = join(root, "parent", "sub");
    mkdirSync(sub, { recursive: true });
    const alone = findProtectedPaths([rule(sub, "write")], []).find((p) => p.name === ".git")!;
    expect(alone.preventCreation).toBe(true);
    // An empty .git directory without HEAD is not a repository.
    mkdirSync(join(root, "parent", ".git"));
    expect(findProtectedPaths([rule(sub, "write")], []).find((p) => p.name === ".git")!.preventCreation).toBe(true);
    writeFileSync(join(root, "parent", ".git", "HEAD"), "ref: refs/heads/main\n");
    const inRepo = findProtectedPaths([rule(sub, "write")], []);
    expect(inRepo.find((p) => p.name === ".git")).toMatchObject({ state: "missing", preventCreation: false });
    // The exception is for .git only.
    expect(inRepo.find((p) => p.name === ".codex")!.preventCreation).toBe(true);
  });
  it("an ancestor gitdir: file also counts as git metadata", () => {
    const root = tempDir();
    mkdirSync(join(root, "wt", "sub"), { recursive: true });
    writeFileSync(join(root, "wt", ".git"), "gitdir: ../main/.git/worktrees/wt\n");
    expect(ancestorHasGitMetadata(join(root, "wt", "sub"))).toBe(true);
    expect(ancestorHasGitMetadata(join(root, "wt"))).toBe(false);
  });
  it("an explicit write rule rooted at the entry removes it; one inside keeps it", () => {
    const root = tempDir();
    mkdirSync(join(root, ".git", "objects"), { recursive: true });
    const atEntry = findProtectedPaths([rule(root, "write"), rule(join(root, ".git"), "write")], []);
    expect(atEntry.map((p) => p.path)).not.toContain(join(root, ".git"));
    expect(atEntry.map((p) => p.path)).toContain(join(root, ".codex"));
    const inside = findProtectedPaths([rule(root, "write"), rule(join(root, ".git", "objects"), "write")], []);
    expect(inside.some((p) => p.path === join(root, ".git"))).toBe(true);
  });
});

describe("gitdir: files", () => {
  it("protects the .git file and the gitdir it points to (relative to the file's directory)", () => {
    const root = tempDir();
    mkdirSync(join(root, "main", ".git", "worktrees", "wt"), { recursive: true });
    mkdirSync(join(root, "wt"));
    writeFileSync(join(root, "wt", ".git"), "gitdir: ../main/.git/worktrees/wt\n");
    const found = findProtectedPaths([rule(join(root, "wt"), "write")], []);
    expect(summary(found).slice(0, 2)).toEqual([`metadata:${root}/wt/.git:file`, `gitdir-target:${root}/main/.git/worktrees/wt:directory`]);
    expect(found[1]).toMatchObject({ name: ".git", root: join(root, "wt") });
  });
  it("parses absolute targets, trims, and ignores files that are not gitdir pointers", () => {
    const root = tempDir();
    const f = join(root, "g");
    writeFileSync(f, "  gitdir :  /abs/x/../y  \n");
    expect(readGitdirPointer(f)).toBe("/abs/y");
    writeFileSync(f, "gitdir: sub/dir");
    expect(readGitdirPointer(f)).toBe(join(root, "sub/dir"));
    for (const text of ["gitdirx: /a", "hello", "gitdir:   ", ""]) {
      writeFileSync(f, text);
      expect(readGitdirPointer(f)).toBeNull();
    }
    expect(readGitdirPointer(join(root, "missing"))).toBeNull();
  });
  it("a missing target is protected (uncreatable) only when the sandbox could create it", () => {
    const root = tempDir();
    mkdirSync(join(root, "wt"));
    writeFileSync(join(root, "wt", ".git"), "gitdir: evil-gitdir\n");
    const inside = findProtectedPaths([rule(join(root, "wt"), "write")], []);
    expect(summary(inside)).toContain(`gitdir-target:${root}/wt/evil-gitdir:missing:nocreate`);
    writeFileSync(join(root, "wt", ".git"), "gitdir: /nonexistent/cordon-test/gitdir\n");
    expect(findProtectedPaths([rule(join(root, "wt"), "write")], []).some((p) => p.reason === "gitdir-target")).toBe(false);
  });
  it("an explicit write on .git also releases its gitdir target", () => {
    const root = tempDir();
    mkdirSync(join(root, "real"));
    mkdirSync(join(root, "wt"));
    writeFileSync(join(root, "wt", ".git"), `gitdir: ${join(root, "real")}\n`);
    const found = findProtectedPaths([rule(join(root, "wt"), "write"), rule(join(root, "wt", ".git"), "write")], []);
    expect(found.some((p) => p.reason === "gitdir-target")).toBe(false);
  });
});

describe("symlinked entries are reported, not trusted", () => {
  it("a symlinked .codex reports the link and its target's state; a dangling link is missing", () => {
    const root = tempDir();
    mkdirSync(join(root, "decoy"));
    symlinkSync("decoy", join(root, ".codex"));
    symlinkSync("nowhere", join(root, ".agents"));
    const found = findProtectedPaths([rule(root, "write")], []);
    expect(found.find((p) => p.name === ".codex")).toMatchObject({ state: "directory", symlinkTarget: "decoy", preventCreation: false });
    expect(found.find((p) => p.name === ".agents")).toMatchObject({ state: "missing", symlinkTarget: "nowhere", preventCreation: true });
    expect(found.find((p) => p.name === ".cordon")!.symlinkTarget).toBeUndefined();
  });
});

describe("policy paths", () => {
  it("become reason policy, always listed, uncreatable when missing", () => {
    const root = tempDir();
    writeFileSync(join(root, "config.toml"), "");
    const found = findProtectedPaths([], [
      { path: join(root, "config.toml"), name: "config" },
      { path: join(root, "home") + "/", name: "CORDON_HOME" },
    ]);
    expect(summary(found)).toEqual([`policy:${root}/config.toml:file`, `policy:${root}/home:missing:nocreate`]);
    expect(found[1]!.name).toBe("CORDON_HOME");
  });
  it("stay protected even when an explicit write rule targets them, end to end with decidePath", () => {
    const root = tempDir();
    const home = join(root, ".cordon");
    mkdirSync(home);
    const rules = [rule(root, "write"), rule(home, "write")];
    const p = policy({ rules, protectedPaths: findProtectedPaths(rules, [{ path: home, name: "CORDON_HOME" }]) });
    const d = decidePath(p, join(home, "config.toml"));
    expect([d.read, d.write]).toEqual([true, false]);
    // The explicit write removed the .cordon *metadata* entry, but the policy entry remains.
    const again = decidePath(p, join(root, "src", "x"));
    expect([again.read, again.write]).toEqual([true, true]);
  });
});
