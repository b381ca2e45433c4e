// .github/workflows/release.yml hygiene: pinned actions, no persisted credentials, least privilege, the prebuild matrix.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
// Normalize line endings: a Windows checkout may have CRLF.
const workflow = readFileSync(path.join(repoRoot, ".github", "workflows", "release.yml"), "utf8").replace(/\r\n/g, "\n");
const lines = workflow.split("\n");

/** The text of one top-level job (from `  name:` to the next job at the same indent). */
function job(name: string): string {
  const start = lines.findIndex((line) => line === `  ${name}:`);
  if (start < 0) throw new Error(`release.yml has no job ${name}`);
  const end = lines.findIndex((line, index) => index > start && /^ {2}[a-z][\w-]*:$/.test(line));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

describe("release workflow", () => {
  it("pins every action to a full commit SHA with a version comment", () => {
    const uses = lines.filter((line) => /^\s*(-\s+)?uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line, line.trim()).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it("never persists the checkout credentials", () => {
    const checkouts = workflow.match(/uses: actions\/checkout@[0-9a-f]{40}[^\n]*\n\s+with:\n(?:\s+[\w-]+: [^\n]+\n)*/g) ?? [];
    expect(checkouts.length).toBe(workflow.match(/uses: actions\/checkout@/g)?.length);
    for (const step of checkouts) expect(step).toContain("persist-credentials: false");
  });

  it("grants nothing by default and id-token: write only to the publish job", () => {
    expect(workflow).toMatch(/^permissions: \{\}$/m);
    expect(job("publish")).toMatch(/id-token: write/);
    expect(job("version")).not.toMatch(/id-token/);
    expect(job("prebuild")).not.toMatch(/id-token/);
    expect(job("prebuild")).toMatch(/permissions:\n\s+contents: read/);
  });

  it("builds every shipped target and verifies them all before publishing", () => {
    const prebuild = job("prebuild");
    for (const target of ["linux-x64", "linux-arm64", "linux-x64-musl", "linux-arm64-musl"]) expect(prebuild).toContain(`target: ${target},`);
    expect(prebuild).toContain("node:20-alpine");
    expect(prebuild).toContain("name: prebuild-${{ matrix.target }}");
    const publish = job("publish");
    expect(publish).toContain("node tools/collect-prebuilds.mjs collect artifacts");
    expect(publish).toContain("node tools/collect-prebuilds.mjs verify --all");
    expect(publish).toContain("node tools/check-publint.mjs --strict");
    expect(publish.indexOf("verify --all")).toBeLessThan(publish.indexOf("npx changeset publish"));
  });

  it("opens the Version Packages PR with changesets", () => {
    expect(job("version")).toMatch(/uses: changesets\/action@[0-9a-f]{40}/);
    expect(job("version")).toContain("version: npm run version-packages");
  });
});
