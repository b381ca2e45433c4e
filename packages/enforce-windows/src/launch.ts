// launch(): runs a Windows plan. Elevated plans: journal → placeholders → ACEs → egress proxy (network
// on; first free port of the WFP-permitted range) → cordon-win-exec.exe --launch (job object, sandbox
// user via CreateProcessWithLogonW) → proxy closed → undo.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ExitStatus, LaunchOptions, SandboxedProcess } from "@cordon/policy-model";
import { acquireRun, finishRun, journalFor, type UndoOps } from "./journal.js";
import { encodeLaunchSpec, runnerCommandLine } from "./launch-spec.js";
import { execHelperPath, loadNative, type NativeWindows } from "./native.js";
import type { WindowsPlan } from "./plan-types.js";
import { resolveProgram } from "./program.js";
import { startWindowsProxy, withProxyEnvironment, type WindowsRunProxy } from "./run-proxy.js";

const DENIAL_LIMITS = ["Windows: file access denials are not collected (ACL auditing needs administrator rights and a system audit policy); network denials come from the egress proxy"];

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

  let proxy: WindowsRunProxy | undefined;
  let specPath: string | undefined;
  try {
    applyChanges(plan, native);
    let env: Record<string, string> = { ...plan.command.env };
    if (plan.network.enabled) {
      // The command's only route out (spec 5): the sandbox user's filters permit only this range.
      if (!plan.network.proxy) throw new Error("the network is enabled but the plan names no egress proxy endpoint");
      proxy = await startWindowsProxy(plan.network.proxy, { logDenials: options.logDenials === true });
      env = withProxyEnvironment(env, proxy.env);
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
  const abort = (): void => {
    child.kill(); // the launcher closes the job: everything in it dies
    void proxy?.close(); // and whatever is still running has no route out
  };
  if (options.signal) {
    if (options.signal.aborted) abort();
    else options.signal.addEventListener("abort", abort, { once: true });
  }
  const exited = waitExit(child).then(async (code): Promise<ExitStatus> => {
    options.signal?.removeEventListener("abort", abort);
    safeUnlink(specPath!);
    await proxy?.close();
    const failures = cleanup();
    const limits = failures.length > 0 ? [...DENIAL_LIMITS, `ACL cleanup incomplete (retried at the next run): ${failures.join("; ")}`] : [...DENIAL_LIMITS];
    const network = options.logDenials && proxy ? proxy.denialLog() : { denials: [], limits: [] };
    return { code, signal: null, denials: network.denials, denialLogLimits: [...limits, ...network.limits] };
  });
  return { child, exited };
}

/** Placeholders first (so their ACEs have an object), then ACEs parents-first as planned. */
function applyChanges(plan: WindowsPlan, native: NativeWindows): void {
  for (const p of plan.placeholders) native.createDirectory(p);
  for (const ace of plan.aces) native.addAce({ path: ace.path, sid: ace.sid, type: ace.type, mask: ace.mask, inherit: ace.inheritance === "subtree" });
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
