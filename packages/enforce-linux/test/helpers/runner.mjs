// Runs one command through the built library (dist) and prints the outcome as JSON; the tests start it
// as root or, through runuser, as the unprivileged test user. Input (stdin or a file named on the command
// line): { policy, argv, facts?, forceMode?, factOverrides?, ttyStdin?, hosts?, logDenials?, launcherEnv?, lendProxy? }.
// Network tests: `hosts` is a fake resolver ({ name: [addresses], "*": [fallback] }, every lookup recorded and reported
// as `lookups`); `launcherEnv` is merged into this process's environment (allow_upstream_proxy reads it);
// `lendProxy` starts a proxy here and lends it to spawn (its decisions are reported).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gatherFacts, spawn, SandboxRefusedError } from "../../dist/index.js";
import { startEgressProxy } from "@cordon/egress-proxy";

// Input comes from a file when one is named (stdin may be a terminal under test), else from stdin.
const input = JSON.parse(process.argv[2] ? readFileSync(process.argv[2], "utf8") : await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (c) => (text += c));
  process.stdin.on("end", () => resolve(text));
}));
const command = { argv: input.argv, cwd: input.policy.cwd, env: input.policy.environment };
let facts = input.facts;
if (input.forceMode) facts = { ...gatherFacts(input.policy, command), mode: input.forceMode, ...(input.factOverrides ?? {}) };
Object.assign(process.env, input.launcherEnv ?? {});
// Tests that look at the run while it is going (NET-20) need the launcher's pid early.
if (input.announcePid) process.stderr.write(`runner-pid ${process.pid}\n`);

const lookups = [];
const resolve = input.hosts
  ? async (host) => {
      lookups.push(host);
      const addresses = input.hosts[host] ?? input.hosts["*"]; // "*": every other name
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      return addresses;
    }
  : undefined;

let lent;
let lentDir;
if (input.lendProxy) {
  lentDir = mkdtempSync(path.join(tmpdir(), "cordon-lent-"));
  lent = await startEgressProxy({ network: input.policy.network, listen: { unixSocket: path.join(lentDir, "p.sock") }, ...(resolve ? { resolve } : {}) });
}
const extra = { ...(facts ? { facts } : {}), ...(resolve ? { resolve } : {}), ...(lent ? { proxy: lent } : {}), ...(input.logDenials ? { logDenials: true } : {}) };
try {
  const child = await spawn(input.policy, input.argv, { stdio: [input.ttyStdin ? "inherit" : "ignore", "pipe", "pipe"], ...extra });
  let stdout = "";
  let stderr = "";
  child.child.stdout.on("data", (c) => (stdout += c));
  child.child.stderr.on("data", (c) => (stderr += c));
  const status = await child.exited;
  const network = input.hosts || input.logDenials || lent ? { lookups, denials: status.denials, ...(lent ? { decisions: lent.decisions } : {}) } : {};
  process.stdout.write(JSON.stringify({ code: status.code, signal: status.signal, stdout, stderr, launcherPid: process.pid, ...network }));
} catch (error) {
  if (error instanceof SandboxRefusedError) process.stdout.write(JSON.stringify({ refused: error.refusal }));
  else process.stdout.write(JSON.stringify({ error: String(error?.stack ?? error) }));
} finally {
  await lent?.close();
  if (lentDir) rmSync(lentDir, { recursive: true, force: true });
}
