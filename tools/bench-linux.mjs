#!/usr/bin/env node
// Benchmarks the Linux sandbox's start-up overhead in one run: bare `true`, bare `bwrap … true`,
// `node -e 0`, `cordon run -- true` (built CLI), the library `spawn` (in-process, warm), and peers
// installed under /tmp/peers. Prints means and ratios. Goal: library overhead over bare bwrap < 5 ms.
// Usage: node tools/bench-linux.mjs [runs]   (needs the built @cordon/enforce-linux: npm run build)
import { spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 30);
const BWRAP = "/usr/bin/bwrap";
const TRUE = "/bin/true";
const work = mkdtempSync("/tmp/cordon-bench-");

/** Times `fn` (ms), after 3 warm-ups. */
async function time(fn) {
  for (let i = 0; i < 3; i++) await fn();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { mean, median: samples[Math.floor(samples.length / 2)], min: samples[0] };
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "ignore", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
}

const results = [];
const add = (name, r) => results.push({ name, ...r });
const skip = (name, why) => results.push({ name, skipped: why });

add("bare true", await time(() => run(TRUE, [])));
const bareBwrap = ["--new-session", "--die-with-parent", "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--", TRUE];
if (existsSync(BWRAP)) add("bare bwrap … true", await time(() => run(BWRAP, bareBwrap)));
else skip("bare bwrap … true", "bubblewrap not installed");
add("node -e 0", await time(() => run(process.execPath, ["-e", "0"])));

const cli = path.join(root, "apps/cli/dist/main.js");
if (existsSync(cli)) add("cordon run -- true (CLI)", await time(() => run(process.execPath, [cli, "run", "--cwd", work, "--", TRUE], { cwd: work, env: { PATH: process.env.PATH, HOME: process.env.HOME ?? "/root", CORDON_HOME: path.join(work, ".cordon-home") } })));
else skip("cordon run -- true (CLI)", `not built (${cli} missing): npm run build`);

const lib = path.join(root, "packages/enforce-linux/dist/index.js");
if (existsSync(lib)) {
  const { spawn } = await import(pathToFileURL(lib).href);
  const origin = { kind: "builtin" };
  const rule = (p, access) => ({ path: p, access, entry: p, origin });
  const policy = {
    schemaVersion: 1, profile: ":workspace", unrestricted: false, platform: "linux", cwd: work, home: process.env.HOME ?? "/root", workspaceRoots: [work],
    filesystem: { rules: [rule("/", "read"), rule(work, "write"), rule("/tmp", "write")], denyGlobs: [], globScanMaxDepth: null, caseSensitive: true, minimal: false,
      protectedPaths: [".git", ".cordon", ".codex", ".agents"].map((name) => ({ path: path.join(work, name), reason: "metadata", name, root: work, state: "missing", preventCreation: name !== ".git" })) },
    network: { enabled: false, mode: "limited", allowLocalBinding: false, enableSocks5: false, enableSocks5Udp: false, proxyUrl: "", socksUrl: "", allowUpstreamProxy: false, domains: [], unixSockets: [] },
    environment: { PATH: "/usr/bin:/bin" }, sources: { config: [], requirements: [] }, warnings: [],
  };
  const once = async () => {
    const p = await spawn(policy, [TRUE], { stdio: "ignore" });
    const s = await p.exited;
    if (s.code !== 0) throw new Error(`library spawn exited ${s.code}`);
  };
  const { planOnHost } = await import(pathToFileURL(lib).href);
  add("library planning only (planOnHost)", await time(() => planOnHost(policy, { argv: [TRUE], cwd: work, env: policy.environment })));
  try {
    add("library spawn(:workspace, true)", await time(once));
  } catch (error) {
    skip("library spawn(:workspace, true)", error.message);
  }
} else skip("library spawn", `not built (${lib} missing): npm run build -w @cordon/enforce-linux`);

const peers = [
  ["peer: srt", "/tmp/peers/srt/node_modules/.bin/srt", ["-c", TRUE]],
  ["peer: landstrip", "/tmp/peers/landstrip/node_modules/@landstrip/landstrip-linux-x64/bin/landstrip", ["run", "--", TRUE]],
  ["peer: firejail", "/usr/bin/firejail", ["--noprofile", "--quiet", "--net=none", TRUE]],
];
for (const [name, bin, args] of peers) {
  if (!existsSync(bin)) { skip(name, `not installed (${bin})`); continue; }
  try { add(name, await time(() => run(bin, args, { cwd: work }))); } catch (error) { skip(name, error.message); }
}

const base = results.find((r) => r.name === "bare bwrap … true" && !r.skipped);
console.log(`cordon Linux start-up benchmark: ${runs} runs each after 3 warm-ups (${new Date().toISOString()})`);
console.log(`${"case".padEnd(36)} ${"mean ms".padStart(9)} ${"median".padStart(8)} ${"min".padStart(8)}  vs bare bwrap`);
for (const r of results) {
  if (r.skipped) { console.log(`${r.name.padEnd(36)} skipped: ${r.skipped}`); continue; }
  const ratio = base ? `${(r.mean / base.mean).toFixed(2)}x (${(r.mean - base.mean >= 0 ? "+" : "")}${(r.mean - base.mean).toFixed(2)} ms)` : "";
  console.log(`${r.name.padEnd(36)} ${r.mean.toFixed(2).padStart(9)} ${r.median.toFixed(2).padStart(8)} ${r.min.toFixed(2).padStart(8)}  ${ratio}`);
}
const libRow = results.find((r) => r.name.startsWith("library spawn") && !r.skipped);
if (base && libRow) {
  const overhead = libRow.mean - base.mean;
  console.log(`library overhead over bare bwrap: ${overhead.toFixed(2)} ms (goal < 5 ms): ${overhead < 5 ? "met" : "NOT met"}`);
}
execFileSync("rm", ["-rf", work]);
