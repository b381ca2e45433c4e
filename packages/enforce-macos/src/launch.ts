// launch(): starts a planned command. Exit codes and signals pass through (128+N when killed by signal
// N); aborting kills the whole process tree. It never runs a sandbox-exec plan any other way.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { ExitStatus, LaunchOptions, SandboxedProcess } from "@cordon/policy-model";
import { startDenialCollector, type DenialCollector } from "./denial-log.js";
import { SANDBOX_EXEC } from "./plan.js";
import { killTree } from "./process-tree.js";
import type { MacosPlan } from "./types.js";

/** A plan that must not be started as it is; the message says why. */
export class MacosLaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MacosLaunchError";
  }
}

/** Throws MacosLaunchError when `plan` cannot be launched on `platform` (checked before anything runs). */
export function assertLaunchable(plan: MacosPlan, platform: NodeJS.Platform = process.platform): void {
  if (plan.mode === "unsandboxed") return;
  if (platform !== "darwin") throw new MacosLaunchError(`sandbox-exec runs only on macOS (this host is ${platform}); refusing to run the command unsandboxed`);
  if (plan.argv[0] !== SANDBOX_EXEC) throw new MacosLaunchError(`the plan does not start ${SANDBOX_EXEC}; refusing to run it`);
  if (plan.network.awaitingProxy) {
    throw new MacosLaunchError("the profile enables the network but no egress proxy port is bound; start the proxy and call bindProxyPorts() first");
  }
}

/** 128+N for signal N, as a shell reports it. */
export function exitCodeFor(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? constants.signals[signal] : undefined;
  return number === undefined ? 128 : 128 + number;
}

export async function launchPlan(plan: MacosPlan, options: LaunchOptions = {}): Promise<SandboxedProcess> {
  assertLaunchable(plan);
  const collector: DenialCollector | null = options.logDenials && plan.mode === "sandbox-exec" ? await startDenialCollector(plan.logTag) : null;
  const [file, ...args] = plan.argv;
  if (file === undefined) throw new MacosLaunchError("the plan has an empty argv");
  const child = spawn(file, args, { cwd: plan.cwd, env: { ...plan.env }, stdio: options.stdio ?? "inherit" });
  const onAbort = (): void => {
    if (child.pid !== undefined) killTree(child.pid);
  };
  if (options.signal) {
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, { once: true });
  }
  const exited = new Promise<ExitStatus>((resolve, reject) => {
    child.once("error", async (error) => {
      options.signal?.removeEventListener("abort", onAbort);
      await collector?.stop();
      reject(new MacosLaunchError(`could not start ${file}: ${error.message}`));
    });
    child.once("exit", async (code, signal) => {
      options.signal?.removeEventListener("abort", onAbort);
      const log = collector ? await collector.stop() : { denials: [], limits: options.logDenials ? ["no sandbox: nothing is denied"] : [] };
      resolve({ code: exitCodeFor(code, signal), signal, denials: log.denials, denialLogLimits: log.limits });
    });
  });
  return { child, exited };
}
