// launch(): runs a Windows plan. Elevated plans: journal → placeholders → ACEs → (proxy) →
// cordon-win-exec.exe --launch (job object, sandbox user via CreateProcessWithLogonW) → undo.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ExitStatus, LaunchOptions, SandboxedProcess } from "@cordon/policy-model";
import { acquireRun, finishRun, journalFor, type UndoOps } from "./journal.js";
import { encodeLaunchSpec, runnerCommandLine } from "./launch-spec.js";
import { execHelperPath, loadNative, type NativeWindows } from "./native.js";
import type { WindowsPlan } from "./plan-types.js";
import { resolveProgram } from "./program.js";

const DENIAL_LIMITS = ["Windows: access denials are not collected (ACL auditing needs administrator rights and a system audit policy)"];

/** An error with the exit code `cordon run` should use (126/127 like a shell, 125 otherwise). */
export class LaunchError extends Error {
  constructor(
    message: string,
    readonly exitCode: 125 | 126 | 127,
  ) {
    super(message);
    this.name = "LaunchError";
  }
}

/** Starts the planned command. */
export async function launchWindows(plan: WindowsPlan, options: LaunchOptions = {}): Promise<SandboxedProcess> {
  if (plan.mode === "unrestricted") return direct(plan, options);
  if (process.platform !== "win32") throw new LaunchError("@cordon/enforce-windows can launch only on Windows", 125);
  if (plan.factsSource !== "host") throw new LaunchError("this plan was made from assumed facts (planFor without host facts); use plan() on the host", 125);
  if (plan.mode !== "elevated" || plan.token === null) throw new LaunchError("only elevated plans can launch (run `cordon setup windows` as administrator)", 125);
  if (plan.denyGlobs.some((g) => g.matches === null)) throw new LaunchError("deny globs were not expanded on this host", 125);

  const native = loadNative();
  const program = resolveProgram(plan.command.argv[0]!, plan.command.env, plan.command.cwd, isFile);
  if (!program.ok) throw new LaunchError(program.message, program.exitCode);

  const stateDir = dirname(plan.journalPath);
  const credential = join(stateDir, `${plan.user.name}.credential`);
  const undo: UndoOps = { removeAces: (p, sid) => native.removeAces(p, sid), removeEmptyDirectory: (p) => native.removeEmptyDirectory(p) };
  const journal = journalFor(plan, process.pid, new Date());
  acquireRun(plan.journalPath, journal, undo); // write-ahead: the journal is on disk before any change
  const cleanup = (): string[] => finishRun(plan.journalPath, journal, undo);

  let proxy: { close(): Promise<void> } | undefined;
  let specPath: string | undefined;
  try {
    applyChanges(plan, native);
    const env: Record<string, string> = { ...plan.command.env };
    if (plan.network.enabled) {
      const started = await startProxy(plan);
      proxy = started.proxy;
      Object.assign(env, started.env);
    }
    specPath = join(stateDir, `launch-${process.pid}-${Date.now()}.spec`);
    writeFileSync(
      specPath,
      encodeLaunchSpec({
        user: plan.user.name,
        passwordBlob: readFileSync(credential, "utf8").trim(),
        runnerCommandLine: runnerCommandLine(execHelperPath(), plan.capabilitySid, [program.path, ...plan.command.argv.slice(1)]),
        cwd: plan.command.cwd,
        env,
        parentPid: process.pid,
      }),
      { encoding: "utf8", mode: 0o600 },
    );
  } catch (error) {
    await proxy?.close();
    if (specPath) safeUnlink(specPath);
    const failures = cleanup();
    const extra = failures.length > 0 ? `; undo also failed (the next run retries): ${failures.join("; ")}` : "";
    throw new LaunchError(`could not prepare the Windows sandbox: ${(error as Error).message}${extra}`, 125);
  }

  const child = spawn(execHelperPath(), ["--launch", specPath], { stdio: options.stdio ?? "inherit", windowsHide: true });
  if (options.signal) {
    const abort = (): void => void child.kill();
    if (options.signal.aborted) abort();
    else options.signal.addEventListener("abort", abort, { once: true });
  }
  const exited = waitExit(child).then(async (code): Promise<ExitStatus> => {
    safeUnlink(specPath!);
    await proxy?.close();
    const failures = cleanup();
    const limits = failures.length > 0 ? [...DENIAL_LIMITS, `ACL cleanup incomplete (retried at the next run): ${failures.join("; ")}`] : DENIAL_LIMITS;
    return { code, signal: null, denials: [], denialLogLimits: limits };
  });
  return { child, exited };
}

/** Placeholders first (so their ACEs have an object), then ACEs parents-first as planned. */
function applyChanges(plan: WindowsPlan, native: NativeWindows): void {
  for (const p of plan.placeholders) native.createDirectory(p);
  for (const ace of plan.aces) native.addAce({ path: ace.path, sid: ace.sid, type: ace.type, mask: ace.mask, inherit: ace.inheritance === "subtree" });
}

/** Starts the egress proxy on the first free port of the range the firewall permits. */
async function startProxy(plan: WindowsPlan): Promise<{ proxy: { close(): Promise<void> }; env: Record<string, string> }> {
  const range = plan.network.proxyPortRange;
  if (!range) throw new Error("network is enabled but no proxy port range is planned");
  const { startEgressProxy } = await import("@cordon/egress-proxy");
  let lastError: unknown;
  for (let port = range[0]; port <= range[1]; port++) {
    try {
      const proxy = await startEgressProxy({ network: networkPolicyOf(plan), listen: { host: "127.0.0.1", port } });
      const url = `http://127.0.0.1:${port}`;
      const env: Record<string, string> = { NO_PROXY: "", no_proxy: "" };
      for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"]) {
        env[name] = url;
        env[name.toLowerCase()] = url;
      }
      return { proxy, env };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`no free loopback port in ${range[0]}-${range[1]} for the egress proxy: ${(lastError as Error | undefined)?.message ?? "unknown"}`);
}

const policies = new WeakMap<WindowsPlan, import("@cordon/policy-model").NetworkPolicy>();

/** Remembers the network policy a plan was made from (plans stay plain JSON; the proxy needs the rules). */
export function attachNetworkPolicy(plan: WindowsPlan, network: import("@cordon/policy-model").NetworkPolicy): void {
  policies.set(plan, network);
}

function networkPolicyOf(plan: WindowsPlan): import("@cordon/policy-model").NetworkPolicy {
  const network = policies.get(plan);
  if (!network) throw new Error("the plan carries no network policy for the proxy (make it with plan())");
  return network;
}

function direct(plan: WindowsPlan, options: LaunchOptions): Promise<SandboxedProcess> {
  const [file, ...args] = plan.command.argv;
  const child = spawn(file!, args, { cwd: plan.command.cwd, env: { ...plan.command.env }, stdio: options.stdio ?? "inherit", windowsHide: true, ...(options.signal ? { signal: options.signal } : {}) });
  const exited = waitExit(child).then((code): ExitStatus => ({ code, signal: null, denials: [], denialLogLimits: [] }));
  return Promise.resolve({ child, exited });
}

function waitExit(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ENOENT" ? 127 : 126));
    child.once("close", (code, signal) => resolve(code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1)));
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Partial<Record<NodeJS.Signals, number>>)[signal];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function safeUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}
