// bwrap discovery: only a root-owned, not group/world-writable binary; never from the cwd or a relative PATH entry.
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { locateBwrap, untrustedReason } from "../../src/host/bwrap-locate.js";

const isRoot = process.geteuid?.() === 0;
const dir = mkdtempSync("/tmp/cordon-bwrap-locate-");
if (!isRoot) console.warn("SKIPPING the foreign-owner bwrap check: chown needs root");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("untrustedReason", () => {
  it("accepts a root-owned executable and explains each rejection", () => {
    const ok = path.join(dir, "ok");
    copyFileSync("/bin/true", ok);
    chmodSync(ok, 0o755);
    if (isRoot) expect(untrustedReason(ok)).toBeUndefined();
    expect(untrustedReason(path.join(dir, "missing"))).toBe("does not exist");
    const writable = path.join(dir, "writable");
    copyFileSync("/bin/true", writable);
    chmodSync(writable, 0o777);
    expect(untrustedReason(writable)).toMatch(/writable by group or others|not root/);
    const plain = path.join(dir, "plain");
    copyFileSync("/bin/true", plain);
    chmodSync(plain, 0o644);
    expect(untrustedReason(plain)).toBe("is not executable");
    expect(untrustedReason(dir)).toBe("is not a regular file");
  });

  it.runIf(isRoot)("rejects a binary owned by another user (root needed to chown)", () => {
    const other = path.join(dir, "other");
    copyFileSync("/bin/true", other);
    chmodSync(other, 0o755);
    chownSync(other, 1234, 1234);
    expect(untrustedReason(other)).toBe("is owned by uid 1234, not root");
  });
});

describe("locateBwrap", () => {
  it("prefers /usr/bin/bwrap when present", () => {
    const found = locateBwrap("/nowhere", "/tmp");
    if (untrustedReason("/usr/bin/bwrap") === undefined) expect(found).toEqual({ path: "/usr/bin/bwrap" });
    else expect(found.path).toBeNull();
  });

  it("ignores relative PATH entries and entries inside the cwd", () => {
    const cwd = path.join(dir, "proj");
    mkdirSync(path.join(cwd, "bin"), { recursive: true });
    copyFileSync("/bin/true", path.join(cwd, "bin/bwrap"));
    chmodSync(path.join(cwd, "bin/bwrap"), 0o755);
    const found = locateBwrap(`bin:./bin:${cwd}/bin`, cwd);
    expect(found.path === null || !found.path.startsWith(cwd)).toBe(true);
  });
});
