#!/usr/bin/env node
// Benchmarks the `cordon` CLI's start-up against `node -e 0` in one interleaved run (hyperfine-style):
// `cordon --version`, `explain`, `env --json` and `run -- true`; prints mean, median and min wall time,
// the mean CPU time (user+sys, Linux) and each row's difference to `node -e 0`. Goal: node -e 0 + 15 ms.
// Usage: node tools/bench-cli.mjs [--runs N] [--warmup N] [--cli FILE]… (default: the package's bin;
//        several --cli compare entries, e.g. --cli apps/cli/dist/main.js --cli apps/cli/dist/cordon.cjs)
// Needs the built CLI (npx turbo run build --filter=cordon...). Not a test: it asserts nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cliDir = path.join(root, "apps/cli");
const { values } = parseArgs({
  options: { runs: { type: "string", default: "30" }, warmup: { type: "string", default: "3" }, cli: { type: "string", multiple: true } },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const binOf = () => path.join(cliDir, JSON.parse(readFileSync(path.join(cliDir, "package.json"), "utf8")).bin.cordon);
const entries = (values.cli ?? [binOf()]).map((file) => path.resolve(file));
for (const entry of entries) if (!existsSync(entry)) throw new Error(`${entry} does not exist: build the CLI first (npx turbo run build --filter=cordon...)`);

// A neutral place: an empty project directory and an empty CORDON_HOME, so only built-in profiles load.
const work = mkdtempSync(path.join(tmpdir(), "cordon-bench-cli-"));
const project = path.join(work, "project");
mkdirSync(project);
// The caller's environment (as hyperfine does: NODE_OPTIONS, NODE_EXTRA_CA_CERTS… cost every row alike),
// with a private CORDON_HOME so that no user config shapes the result.
const env = { ...process.env, CORDON_HOME: path.join(work, "cordon-home") };
const TRUE = process.platform === "win32" ? "cmd" : "true";
const trueArgs = process.platform === "win32" ? ["/c", "exit 0"] : [];

/** One benchmark row: a label and the argv to spawn. */
const rows = [{ label: "node -e 0", argv: [process.execPath, "-e", "0"] }];
for (const entry of entries) {
  const name = entries.length > 1 ? path.relative(root, entry) : "cordon";
  const cordon = (...args) => [process.execPath, entry, ...args];
  rows.push(
    { label: `${name} --version`, argv: cordon("--version") },
    { label: `${name} explain`, argv: cordon("explain") },
    { label: `${name} env --json`, argv: cordon("env", "--json") },
    { label: `${name} run -- true`, argv: cordon("run", "--", TRUE, ...trueArgs) },
  );
}

/** Children's CPU time so far (user+sys, ms) from /proc/self/stat; undefined where there is no procfs. */
function childrenCpuMs() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of stat(5) (cutime, cstime), counted from field 3 after the command name.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function runOnce(row) {
  const cpuBefore = childrenCpuMs();
  const start = process.hrtime.bigint();
  const result = spawnSync(row.argv[0], row.argv.slice(1), { cwd: project, env, stdio: ["ignore", "ignore", "pipe"] });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuAfter = childrenCpuMs();
  if (result.status !== 0) {
    const stderr = result.stderr.toString().trim().split("\n")[0] ?? "";
    throw new Error(`exit ${result.status ?? result.signal}: ${stderr}`);
  }
  return { wall, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

// Rows run interleaved (round-robin), so a busy moment on the machine hits every row alike. A failed
// run is counted and left out (other cordon runs on a shared machine can disturb one); a row where
// most runs fail is reported as failed.
const samples = rows.map(() => ({ wall: [], cpu: [], failures: 0, error: undefined }));
for (let round = -warmup; round < runs; round++) {
  rows.forEach((row, i) => {
    const sample = samples[i];
    if (sample.failures > runs / 2) return;
    try {
      const { wall, cpu } = runOnce(row);
      if (round < 0) return;
      sample.wall.push(wall);
      if (cpu !== undefined) sample.cpu.push(cpu);
    } catch (error) {
      sample.failures++;
      sample.error ??= error.message;
    }
  });
}
rmSync(work, { recursive: true, force: true });

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ms) => (ms === undefined ? "-" : ms.toFixed(1));
const signed = (ms) => (ms === undefined ? "-" : `${ms >= 0 ? "+" : ""}${ms.toFixed(1)}`);
const stats = samples.map((s) => (s.wall.length === 0 || s.failures > runs / 2 ? undefined : { mean: mean(s.wall), median: median(s.wall), min: Math.min(...s.wall), cpu: s.cpu.length ? mean(s.cpu) : undefined }));
const base = stats[0];

console.log(`cordon CLI start-up, ${runs} interleaved runs after ${warmup} warm-up rounds (node ${process.version}, ${process.platform}); ms`);
const header = ["", "mean", "median", "min", "cpu", "Δmean", "Δmedian", "Δcpu"];
const width = Math.max(...rows.map((r) => r.label.length));
console.log(`${header[0].padEnd(width)}  ${header.slice(1).map((h) => h.padStart(8)).join("")}`);
rows.forEach((row, i) => {
  const s = stats[i];
  if (!s) {
    console.log(`${row.label.padEnd(width)}  failed: ${samples[i].error}`);
    return;
  }
  const cells = [fmt(s.mean), fmt(s.median), fmt(s.min), fmt(s.cpu)];
  const deltas = i === 0 || !base ? ["", "", ""] : [signed(s.mean - base.mean), signed(s.median - base.median), base.cpu === undefined || s.cpu === undefined ? "-" : signed(s.cpu - base.cpu)];
  const failed = samples[i].failures > 0 ? `  (${samples[i].failures} failed runs left out: ${samples[i].error})` : "";
  console.log(`${row.label.padEnd(width)}  ${[...cells, ...deltas].map((c) => c.padStart(8)).join("")}${failed}`);
});
console.log("cpu: mean user+sys of the process tree (from /proc; 10 ms clock ticks, averaged). Δ: difference to node -e 0.");
