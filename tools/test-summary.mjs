// Sums vitest's per-package "Tests" lines from a turbo log into one closing line: "N passed, N failed, N skipped".
import { readFileSync } from "node:fs";

const log = readFileSync(process.argv[2] ?? 0, "utf8").replace(/\x1b\[[0-9;]*m/g, "");
let passed = 0, failed = 0, skipped = 0, packages = 0;
for (const line of log.split("\n")) {
  const m = /\bTests\s+(.*)\((\d+)\)\s*$/.exec(line);
  if (!m) continue;
  packages += 1;
  const parts = m[1] ?? "";
  passed += Number(/(\d+) passed/.exec(parts)?.[1] ?? 0);
  failed += Number(/(\d+) failed/.exec(parts)?.[1] ?? 0);
  skipped += Number(/(\d+) skipped/.exec(parts)?.[1] ?? 0);
}
if (packages === 0) {
  console.log("tests: no test summary found");
  process.exit(1);
}
console.log(`${packages} test suites`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
