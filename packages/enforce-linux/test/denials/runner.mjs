// Runs one command through the built library (dist) with --log-denials semantics and prints the exit status
// as JSON; collect.test.ts starts it through runuser as the unprivileged test user.
// Input: a JSON file named by argv[2]: { policy, argv, mode?, logDenials }.
import { readFileSync } from "node:fs";
import { gatherFacts, spawn } from "../../dist/index.js";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const command = { argv: input.argv, cwd: input.policy.cwd, env: input.policy.environment };
const facts = input.mode ? { ...gatherFacts(input.policy, command), mode: input.mode } : undefined;
const child = await spawn(input.policy, input.argv, { stdio: ["ignore", "pipe", "pipe"], logDenials: input.logDenials, ...(facts ? { facts } : {}) });
let stdout = "";
let stderr = "";
child.child.stdout.on("data", (c) => (stdout += c));
child.child.stderr.on("data", (c) => (stderr += c));
const status = await child.exited;
process.stdout.write(JSON.stringify({ code: status.code, stdout, stderr, denials: status.denials, limits: status.denialLogLimits }));
