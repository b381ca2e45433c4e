#!/usr/bin/env node
// Benchmarks the Linux sandbox's start-up overhead in one run: bare `true`, bare `bwrap … true`,
// `node -e 0`, `cordon run -- true` (built CLI), the library `spawn` (in-process, warm) with network off and
// on (per-run egress proxy + bridge), where the library's time goes (bwrap with cordon's own argv, then
// with the cordon-exec helper), and peers installed under /tmp/peers (srt, landstrip, firejail, codex).
// Prints means and ratios. Goal: library overhead over bare bwrap < 5 ms.
// Usage: node tools/bench-linux.mjs [runs]   (needs the built @cordon/enforce-linux: npm run build)
import { spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
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
  // The same profile where the protected metadata exists: read-only binds, no host placeholders to create and remove.
  const present = mkdtempSync("/tmp/cordon-bench-present-");
  for (const name of [".git", ".cordon", ".codex", ".agents"]) mkdirSync(path.join(present, name));
  const presentPolicy = { ...policy, cwd: present, workspaceRoots: [present], filesystem: { ...policy.filesystem, rules: [rule("/", "read"), rule(present, "write"), rule("/tmp", "write")],
    protectedPaths: [".git", ".cordon", ".codex", ".agents"].map((name) => ({ path: path.join(present, name), reason: "metadata", name, root: present, state: "directory", preventCreation: false })) } };
  try {
    add("library spawn(:workspace, metadata exists)", await time(async () => {
      const p = await spawn(presentPolicy, [TRUE], { stdio: "ignore" });
      if ((await p.exited).code !== 0) throw new Error("library spawn (metadata exists) failed");
    }));
  } catch (error) {
    skip("library spawn(:workspace, metadata exists)", error.message);
  }
  // Attribution: the same bwrap argv cordon plans (its namespaces, masks and placeholders), run directly,
  // first with the command alone, then through cordon-exec with the same ExecSpec (from a file on fd 3).
  const planned = await planOnHost(policy, { argv: [TRUE], cwd: work, env: policy.environment });
  if (planned.ok) {
    const { buildSeccomp } = await import(pathToFileURL(path.join(root, "packages/enforce-linux/dist/host/native-facts.js")).href);
    const { encodeExecSpec } = await import(pathToFileURL(path.join(root, "packages/enforce-linux/dist/exec-spec-encode.js")).href);
    const { finishJournal, writeJournal } = await import(pathToFileURL(path.join(root, "packages/enforce-linux/dist/runtime/journal.js")).href);
    const plan = planned.plan;
    const sep = plan.argv.indexOf("--");
    const bwrapArgv = plan.argv.slice(1, sep);
    const specFile = path.join(work, "spec.bin");
    writeFileSync(specFile, encodeExecSpec({ ...plan.execSpec, seccompProgram: buildSeccomp(plan.seccomp), env: plan.env }));
    const quoted = (a) => `'${a.replaceAll("'", "'\\''")}'`;
    // Placeholders bwrap creates must be removed after each run, as cordon does (else later runs differ).
    const cleanRun = (fn) => () => { const j = writeJournal(plan.runtimeDir, plan.placeholders); try { fn(); } finally { finishJournal(j, plan.placeholders); } };
    add("  bwrap, cordon's argv, command only", await time(cleanRun(() => run(plan.argv[0], [...bwrapArgv, "--", TRUE]))));
    add("  sh -c (to compare the next row)", await time(() => run("/bin/sh", ["-c", TRUE])));
    add("  sh -c bwrap, cordon's argv + cordon-exec", await time(cleanRun(() => run("/bin/sh", ["-c", `${[plan.argv[0], ...bwrapArgv, "--", ...plan.argv.slice(sep + 1)].map(quoted).join(" ")} 3<${quoted(specFile)}`]))));
  }
  const netPolicy = { ...policy, network: { ...policy.network, enabled: true, enableSocks5: true, proxyUrl: "http://127.0.0.1:0", socksUrl: "socks5://127.0.0.1:0", domains: [{ pattern: "example.com", decision: "allow", origin }] } };
  try {
    add("library spawn(network on, true)", await time(async () => {
      const p = await spawn(netPolicy, [TRUE], { stdio: "ignore" });
      const s = await p.exited;
      if (s.code !== 0) throw new Error(`library spawn (network) exited ${s.code}`);
    }));
  } catch (error) {
    skip("library spawn(network on, true)", error.message);
  }
} else skip("library spawn", `not built (${lib} missing): npm run build -w @cordon/enforce-linux`);

// Codex needs CODEX_HOME outside /tmp (its arg0 helper is not mounted from there; see research/peers.md).
const codexHome = path.join(process.env.HOME ?? "/root", ".cordon-bench-codex-home");
mkdirSync(codexHome, { recursive: true });
const peers = [
  ["peer: codex sandbox -P :workspace", "/tmp/peers/codex/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex", ["sandbox", "-P", ":workspace", "-C", work, "--", TRUE], { CODEX_HOME: codexHome }],
  ["peer: srt", "/tmp/peers/srt/node_modules/.bin/srt", ["-c", TRUE]],
  ["peer: landstrip", "/tmp/peers/landstrip/node_modules/@landstrip/landstrip-linux-x64/bin/landstrip", ["run", "--", TRUE]],
  ["peer: firejail", "/usr/bin/firejail", ["--noprofile", "--quiet", "--net=none", TRUE]],
];
for (const [name, bin, args, env] of peers) {
  if (!existsSync(bin)) { skip(name, `not installed (${bin})`); continue; }
  try { add(name, await time(() => run(bin, args, { cwd: work, ...(env ? { env: { ...process.env, ...env } } : {}) }))); } catch (error) { skip(name, error.message); }
}

const base = results.find((r) => r.name === "bare bwrap … true" && !r.skipped);
console.log(`cordon Linux start-up benchmark: ${runs} runs each after 3 warm-ups (${new Date().toISOString()})`);
console.log(`${"case".padEnd(44)} ${"mean ms".padStart(9)} ${"median".padStart(8)} ${"min".padStart(8)}  vs bare bwrap`);
for (const r of results) {
  if (r.skipped) { console.log(`${r.name.padEnd(44)} skipped: ${r.skipped}`); continue; }
  const ratio = base ? `${(r.mean / base.mean).toFixed(2)}x (${(r.mean - base.mean >= 0 ? "+" : "")}${(r.mean - base.mean).toFixed(2)} ms)` : "";
  console.log(`${r.name.padEnd(44)} ${r.mean.toFixed(2).padStart(9)} ${r.median.toFixed(2).padStart(8)} ${r.min.toFixed(2).padStart(8)}  ${ratio}`);
}
const libRow = results.find((r) => r.name === "library spawn(:workspace, true)" && !r.skipped);
if (base && libRow) {
  const overhead = libRow.mean - base.mean;
  console.log(`library overhead over bare bwrap: ${overhead.toFixed(2)} ms (goal < 5 ms): ${overhead < 5 ? "met" : "NOT met"}`);
}
execFileSync("rm", ["-rf", work, ...(existsSync("/tmp") ? [] : [])]);
