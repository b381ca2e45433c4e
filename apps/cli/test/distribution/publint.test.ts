// publint on what would be published: every package's packed tarball (after `npm run build`).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const PACKAGES = ["@cordon/policy-model", "@cordon/egress-proxy", "@cordon/enforce-linux", "@cordon/enforce-macos", "@cordon/enforce-windows", "cordon"];

// enforce-linux's prepack insists on prebuilt native parts, which can only be built on Linux.
const isLinux = process.platform === "linux";
if (!isLinux) console.warn(`publint.test: SKIPPED on ${process.platform} — @cordon/enforce-linux cannot be packed without its Linux prebuilds`);

describe.runIf(isLinux)("publint (tools/check-publint.mjs --strict)", () => {
  it("finds no error or warning in any package", () => {
    // Same arrangement as a release job: this host's native build into prebuilds/<target>/.
    const collect = spawnSync(process.execPath, [path.join(repoRoot, "tools", "collect-prebuilds.mjs"), "local"], { encoding: "utf8" });
    expect(collect.status, `collect-prebuilds local failed (run npm run build first):\n${collect.stderr}`).toBe(0);
    const result = spawnSync(process.execPath, [path.join(repoRoot, "tools", "check-publint.mjs"), "--strict"], { cwd: repoRoot, encoding: "utf8", timeout: 300_000 });
    const output = `${result.stdout}${result.stderr}`;
    for (const name of PACKAGES) expect(output, `publint result for ${name}`).toContain(`publint ${name}: all good`);
    expect(result.status, output).toBe(0);
  }, 300_000);
});
