// launch(): starts a planned command. With the network enabled it first starts the run's egress proxy
// and binds the plan to its ports; the proxy is closed once the command exits (or on abort). Exit codes
// and signals pass through (128+N when killed by signal N); aborting kills the whole process tree.
// It never runs a sandbox-exec plan any other way.
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";
import type { Denial, ExitStatus, LaunchOptions, SandboxedProcess } from "@cordon/policy-model";
import { startDenialCollector, type DenialCollector } from "./denial-log.js";
import { MacosLaunchError } from "./launch-error.js";
import { SANDBOX_EXEC } from "./plan.js";
import { killTree } from "./process-tree.js";
import { startRunProxy, type RunProxy, type RunProxyOptions } from "./run-proxy.js";
import type { MacosPlan } from "./types.js";

export { MacosLaunchError } from "./launch-error.js";

/** Throws MacosLaunchError when `plan` cannot be started on `platform` at all (before any proxy starts). */
function assertRunnableHere(plan: MacosPlan, platform: NodeJS.Platform): void {
  if (plan.mode === "unsandboxed") return;
  if (platform !== "darwin") throw new MacosLaunchError(`sandbox-exec runs only on macOS (this host is ${platform}); refusing to run the command unsandboxed`);
  if (plan.argv[0] !== SANDBOX_EXEC) throw new MacosLaunchError(`the plan does not start ${SANDBOX_EXEC}; refusing to run it`);
}

/** Throws MacosLaunchError when `plan` cannot be spawned as it is on `platform` (checked before anything runs). */
export function assertLaunchable(plan: MacosPlan, platform: NodeJS.Platform = process.platform): void {
  assertRunnableHere(plan, platform);
  if (plan.mode === "sandbox-exec" && plan.network.awaitingProxy) {
    throw new MacosLaunchError("the profile enables the network but no egress proxy port is bound; start the proxy and call bindProxyPorts() first");
  }
}

/** 128+N for signal N, as a shell reports it. */
export function exitCodeFor(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? constants.signals[signal] : undefined;
  return number === undefined ? 128 : 128 + number;
}

/** Starts `plan` under sandbox-exec (with its egress proxy when the network is enabled). */
export async function launchPlan(plan: MacosPlan, options: LaunchOptions = {}): Promise<SandboxedProcess> {
  assertRunnableHere(plan, process.platform);
  return launchWith(plan, options, {
    spawn: (final) => {
      assertLaunchable(final);
      const [file, ...args] = final.argv;
      if (file === undefined) throw new MacosLaunchError("the plan has an empty argv");
      return spawn(file, args, { cwd: final.cwd, env: { ...final.env }, stdio: options.stdio ?? "inherit" });
    },
    killTree,
    startDenialCollector,
  });
}

/** What launchWith needs from the host; launchPlan passes the real ones, tests their own. */
export interface LaunchHost {
  /** Starts the final (proxy-bound) plan. */
  spawn(plan: MacosPlan): ChildProcess;
  killTree(pid: number): void;
  startDenialCollector(tag: string): Promise<DenialCollector>;
  /** Options for the run's egress proxy (resolver, host environment). */
  readonly proxy?: Omit<RunProxyOptions, "logDenials">;
}

/**
 * The launch sequence, independent of the host: egress proxy (network on) → denial log → spawn →
 * on exit, stop the log and close the proxy, then resolve. Every failure path closes the proxy.
 */
export async function launchWith(plan: MacosPlan, options: LaunchOptions, host: LaunchHost): Promise<SandboxedProcess> {
  const sandboxed = plan.mode === "sandbox-exec";
  const logDenials = options.logDenials === true;
  const network: RunProxy | null = sandboxed && plan.network.enabled ? await startRunProxy(plan, { ...host.proxy, logDenials }) : null;
  const final = network?.plan ?? plan;

  let collector: DenialCollector | null = null;
  let child: ChildProcess;
  try {
    collector = logDenials && sandboxed ? await host.startDenialCollector(final.logTag) : null;
    child = host.spawn(final);
  } catch (error) {
    await collector?.stop();
    await network?.close();
    throw error;
  }

  const onAbort = (): void => {
    if (child.pid !== undefined) host.killTree(child.pid);
    // Anything of the tree that survived the kill has no route out from now on.
    void network?.close();
  };
  if (options.signal) {
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener("abort", onAbort, { once: true });
  }

  let finished: Promise<{ denials: Denial[]; limits: string[] }> | undefined;
  const finish = (): Promise<{ denials: Denial[]; limits: string[] }> => {
    finished ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      // The proxy closes first: nothing the command left behind keeps a route out while the log drains.
      await network?.close();
      const seatbelt = collector ? await collector.stop() : { denials: [], limits: logDenials ? ["no sandbox: nothing is denied"] : [] };
      if (!logDenials || !network) return seatbelt;
      const proxy = network.denialLog();
      return { denials: [...seatbelt.denials, ...proxy.denials], limits: [...seatbelt.limits, ...proxy.limits] };
    })();
    return finished;
  };

  const exited = new Promise<ExitStatus>((resolve, reject) => {
    child.once("error", (error) => {
      void finish().then(() => reject(new MacosLaunchError(`could not start ${final.argv[0] ?? "the command"}: ${error.message}`)));
    });
    child.once("exit", (code, signal) => {
      void finish().then((log) => resolve({ code: exitCodeFor(code, signal), signal, denials: log.denials, denialLogLimits: log.limits }));
    });
  });
  return { child, exited };
}
