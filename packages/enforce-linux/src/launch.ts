// Starts a planned command: hands the ExecSpec to the helper on a pipe, passes stdio and the exit code
// through, forwards termination signals into the sandbox, kills the whole tree on abort, and removes
// the placeholders bwrap created on the host.
import { spawn as spawnChild, type ChildProcess, type StdioOptions } from "node:child_process";
import { readFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import type { Writable, Readable } from "node:stream";
import type { Denial, ExitStatus, LaunchOptions, SandboxedProcess } from "@cordon/policy-model";
import type { EgressProxy, Resolver } from "@cordon/egress-proxy";
import { encodeExecSpec } from "./exec-spec-encode.js";
import type { LinuxPlan } from "./types.js";
import { buildSeccomp, nativeFacts } from "./host/native-facts.js";
import { claimPlaceholders, recoverStaleJournals, releasePlaceholders } from "./runtime/journal.js";
import { denialHost, denialLogLimits, startDenialCollection, wantsSeccompLog, type DenialCollection } from "./denials.js";
import { socketPlaceholder, type ProxyEndpoint } from "./network/network-plan.js";
import type { ProxySession } from "./network/proxy-session.js";

/** Launch options of the Linux backend: the common ones plus the egress proxy's. */
export interface LinuxLaunchOptions extends LaunchOptions {
  /**
   * A running egress proxy to reuse (it must listen on unix sockets; it is not closed after the run).
   * By default each run with network enabled starts its own proxy and closes it afterwards.
   */
  readonly proxy?: EgressProxy;
  /** Host-side resolver for the proxy cordon starts (tests). Never taken from the environment. */
  readonly resolve?: Resolver;
}

/** The signals a terminal or supervisor sends to stop a command; they are passed on to it. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
/** Exit code when cordon itself fails (spec/cli.md). */
export const CORDON_FAILURE_EXIT = 125;
/** fd on which bwrap reports the sandbox's pid and exit (`--json-status-fd`). */
const STATUS_FD = 4;

function stdioTriple(stdio: StdioOptions | undefined): ("pipe" | "inherit" | "ignore" | number | null | undefined | unknown)[] {
  if (stdio === undefined) return ["inherit", "inherit", "inherit"];
  if (typeof stdio === "string") return [stdio, stdio, stdio];
  return [stdio[0] ?? "inherit", stdio[1] ?? "inherit", stdio[2] ?? "inherit"];
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal) return 128 + (osConstants.signals[signal] ?? 0);
  return code ?? CORDON_FAILURE_EXIT;
}

/** Host pids of the children of `pid` (the sandbox's init → the helper/command). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Sends `signal` to a process group, falling back to the process itself. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Launches `plan`; the promise resolves once the child is spawned. */
export async function launchPlan(plan: LinuxPlan, options: LinuxLaunchOptions = {}): Promise<SandboxedProcess> {
  const stdio = stdioTriple(options.stdio);
  if (plan.mode === "direct") {
    const child = spawnChild(plan.argv[0]!, plan.argv.slice(1), { cwd: plan.cwd, env: { ...plan.env }, stdio: stdio as StdioOptions });
    return { child, exited: watch(child, plan, { journal: null, sandboxInit: () => null, signal: options.signal, proxy: null, logDenials: false }) };
  }
  if (!plan.execSpec || !plan.seccomp || plan.specFd === null) throw new Error("cordon: a sandboxed plan lacks its exec spec");

  if (plan.runtimeDir) {
    for (const left of recoverStaleJournals(plan.runtimeDir)) process.stderr.write(`cordon: warning: could not remove a placeholder left by an earlier run: ${left}\n`);
  }
  const landlock = plan.execSpec.landlock;
  const denialFacts = options.logDenials ? denialHost(nativeFacts().landlockAbi) : null; // --log-denials (denials.ts)
  const spec = encodeExecSpec({
    ...plan.execSpec,
    landlock: landlock && { ...landlock, logDenials: Boolean(options.logDenials) && nativeFacts().landlockAbi >= 7 },
    seccompProgram: buildSeccomp(plan.seccomp),
    seccompLog: denialFacts !== null && wantsSeccompLog(denialFacts),
    env: plan.env, // the helper starts with an empty environment; the command gets exactly this (ENV-05)
  });
  // The proxy listens before bwrap starts: its sockets are bind-mounted into the sandbox.
  // Loaded only when needed: the proxy pulls in @cordon/egress-proxy and node:http/net/dns (~15 ms per run).
  const proxy = plan.network ? await (await import("./network/proxy-session.js")).openProxySession(plan.network, plan.runtimeDir!, options) : null;
  let journal: string | null;
  try {
    journal = plan.placeholders.length > 0 && plan.runtimeDir ? claimPlaceholders(plan.runtimeDir, plan.placeholders) : null;
  } catch (error) {
    await proxy?.close();
    throw error;
  }

  const isBwrap = plan.mode === "bwrap";
  const args = proxy ? withProxySockets(plan.argv.slice(1), proxy) : plan.argv.slice(1);
  if (isBwrap) args.unshift("--json-status-fd", String(STATUS_FD));
  const denialLog = denialFacts && startDenialCollection(plan, denialFacts); // collects from before the spawn
  let child: ChildProcess;
  try {
    child = spawnChild(plan.argv[0]!, args, {
      cwd: plan.cwd,
      env: {},
      stdio: [...stdio, "pipe", ...(isBwrap ? ["pipe"] : [])] as StdioOptions,
      // bwrap gets its own process group, so a terminal's Ctrl-C reaches only cordon, which forwards it to
      // the command (killing bwrap instead would SIGKILL the sandbox). The helper calls setsid itself.
      detached: isBwrap,
    });
  } catch (error) {
    if (journal) releasePlaceholders(plan.runtimeDir!, journal, plan.placeholders);
    await proxy?.close();
    void denialLog?.finish();
    throw error;
  }
  denialLog?.track(child.pid);
  const specPipe = child.stdio[plan.specFd] as Writable | null;
  specPipe?.on("error", () => undefined); // the helper or bwrap may exit before reading it; the exit code tells
  specPipe?.end(Buffer.from(spec));

  let sandboxInitPid: number | null = null;
  if (isBwrap) {
    const status = child.stdio[STATUS_FD] as Readable | null;
    let buffered = "";
    status?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const m = /"child-pid"\s*:\s*(\d+)/.exec(buffered);
      if (m) sandboxInitPid = Number(m[1]);
    });
  }
  return { child, exited: watch(child, plan, { journal, sandboxInit: () => sandboxInitPid, signal: options.signal, proxy, logDenials: Boolean(options.logDenials), denialLog }) };
}

/** Replaces the plan's socket placeholders with this run's host socket paths. */
function withProxySockets(args: string[], proxy: ProxySession): string[] {
  const byPlaceholder = new Map<string, string>();
  for (const [endpoint, socket] of Object.entries(proxy.sockets) as [ProxyEndpoint, string][]) byPlaceholder.set(socketPlaceholder(endpoint), socket);
  return args.map((a) => byPlaceholder.get(a) ?? a);
}

interface WatchContext {
  readonly journal: string | null;
  /** Host pid of the sandbox's init process once bwrap reported it (bwrap mode). */
  readonly sandboxInit: () => number | null;
  readonly signal: AbortSignal | undefined;
  /** The run's egress proxy (network enabled), closed once the sandbox is gone. */
  readonly proxy: ProxySession | null;
  readonly logDenials: boolean;
  /** The run's audit-record collection (--log-denials), finished once the sandbox is gone. */
  readonly denialLog?: DenialCollection | null;
}

function watch(child: ChildProcess, plan: LinuxPlan, ctx: WatchContext): Promise<ExitStatus> {
  const isBwrap = plan.mode === "bwrap";
  // The command runs in its own session (new process group): signal the group, not just bwrap.
  const forward = (signal: NodeJS.Signals): void => {
    // Direct children share cordon's process group: the terminal already delivered SIGINT/SIGQUIT to them.
    if (plan.mode === "direct") return void (signal === "SIGTERM" || signal === "SIGHUP" ? child.kill(signal) : undefined);
    if (plan.mode === "landlock-only") return child.pid === undefined ? undefined : killGroup(child.pid, signal);
    const init = ctx.sandboxInit();
    const targets = init === null ? [] : childrenOf(init);
    if (targets.length === 0) child.kill(signal);
    for (const pid of targets) killGroup(pid, signal);
  };
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of FORWARDED_SIGNALS) {
    const h = (): void => forward(sig);
    handlers.set(sig, h);
    process.on(sig, h);
  }
  const abort = (): void => {
    // bwrap: killing it tears down the pid namespace (--die-with-parent), which kills every process inside.
    if (plan.mode === "landlock-only" && child.pid !== undefined) killGroup(child.pid, "SIGKILL");
    child.kill("SIGKILL");
  };
  if (ctx.signal?.aborted) abort();
  ctx.signal?.addEventListener("abort", abort, { once: true });

  return new Promise<ExitStatus>((resolve, reject) => {
    child.once("error", (error) => {
      cleanup();
      void ctx.denialLog?.finish();
      void closeProxy(ctx).finally(() => reject(error));
    });
    child.once("close", (code, signal) => {
      cleanup();
      let exit = exitCodeOf(code, signal);
      // bwrap failed before starting the sandbox (it reported no child pid): cordon failed, not the command.
      if (isBwrap && ctx.sandboxInit() === null && !signal && exit !== 0) exit = CORDON_FAILURE_EXIT;
      void closeProxy(ctx).then(async (networkDenials) => {
        const kernel = ctx.denialLog ? await ctx.denialLog.finish() : null;
        resolve({ code: exit, signal, denials: [...networkDenials, ...(kernel?.denials ?? [])], denialLogLimits: kernel?.limits ?? denialLogLimits(plan) });
      });
    });
  });

  /** Closes the run's proxy (no sockets or files are left) and returns its refusals when they are logged. */
  async function closeProxy(c: WatchContext): Promise<Denial[]> {
    if (!c.proxy) return [];
    try {
      await c.proxy.close();
    } catch (error) {
      process.stderr.write(`cordon: warning: closing the egress proxy failed: ${(error as Error).message}\n`);
    }
    return c.logDenials ? c.proxy.denials() : [];
  }

  function cleanup(): void {
    for (const [sig, h] of handlers) process.off(sig, h);
    ctx.signal?.removeEventListener("abort", abort);
    if (ctx.journal) {
      for (const left of releasePlaceholders(plan.runtimeDir!, ctx.journal, plan.placeholders)) {
        process.stderr.write(`cordon: warning: placeholder ${left} was not removed (it is no longer an empty placeholder)\n`);
      }
    }
  }
}
