// Runs one command through the built library (dist) and prints the outcome as JSON; the tests start it
// as root or, through runuser, as the unprivileged test user. Input (stdin): { policy, argv, facts?, forceMode?, stdin? }.
import { gatherFacts, spawn, SandboxRefusedError } from "../../dist/index.js";

import { readFileSync } from "node:fs";

// Input comes from a file when one is named (stdin may be a terminal under test), else from stdin.
const input = JSON.parse(process.argv[2] ? readFileSync(process.argv[2], "utf8") : await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (c) => (text += c));
  process.stdin.on("end", () => resolve(text));
}));
const command = { argv: input.argv, cwd: input.policy.cwd, env: input.policy.environment };
let facts = input.facts;
if (input.forceMode) facts = { ...gatherFacts(input.policy, command), mode: input.forceMode, ...(input.factOverrides ?? {}) };
try {
  const child = await spawn(input.policy, input.argv, { stdio: [input.ttyStdin ? "inherit" : "ignore", "pipe", "pipe"], ...(facts ? { facts } : {}) });
  let stdout = "";
  let stderr = "";
  child.child.stdout.on("data", (c) => (stdout += c));
  child.child.stderr.on("data", (c) => (stderr += c));
  const status = await child.exited;
  process.stdout.write(JSON.stringify({ code: status.code, signal: status.signal, stdout, stderr }));
} catch (error) {
  if (error instanceof SandboxRefusedError) process.stdout.write(JSON.stringify({ refused: error.refusal }));
  else process.stdout.write(JSON.stringify({ error: String(error?.stack ?? error) }));
}
