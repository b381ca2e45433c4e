// The backend contract (types only): what every enforce-* package implements for the CLI and library.
import type { ChildProcess, StdioOptions } from "node:child_process";
import type { Platform, ResolvedPolicy } from "./resolved-policy.js";

/** The command to run under the policy. `env` is the final environment before run-time proxy vars. */
export interface CommandSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/** One feature the host can or cannot enforce (`cordon doctor`). */
export interface Capability {
  readonly available: boolean;
  /** Version, ABI, or why not. */
  readonly detail?: string;
}

export interface ProbeReport {
  readonly platform: Platform;
  /** npm package name of the backend, e.g. `@cordon/enforce-linux`. */
  readonly backend: string;
  /** True when every capability the default profile needs is present. */
  readonly ready: boolean;
  readonly capabilities: Readonly<Record<string, Capability>>;
  /** What is missing and how to fix it (package to install, sysctl to set). */
  readonly problems: readonly string[];
}

/** A rule the backend cannot enforce on this host, and why. */
export interface Refusal {
  readonly rule: string;
  readonly reason: string;
}

export type PlanResult<P> = { readonly ok: true; readonly plan: P } | { readonly ok: false; readonly refusal: readonly Refusal[] };

/** One thing the sandbox denied, reported by `--log-denials` after the command ends. */
export interface Denial {
  readonly kind: "file" | "network" | "syscall" | "other";
  readonly operation: string;
  readonly target: string;
  readonly detail?: string;
}

export interface LaunchOptions {
  readonly stdio?: StdioOptions;
  /** Collect denials for the report after exit. */
  readonly logDenials?: boolean;
  /** Aborting kills the whole sandboxed process tree. */
  readonly signal?: AbortSignal;
}

export interface ExitStatus {
  /** Exit code; 128+N when killed by signal N (as a shell reports it). */
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly denials: readonly Denial[];
  /** What the denial log could not observe on this host (said, not hidden). */
  readonly denialLogLimits: readonly string[];
}

export interface SandboxedProcess {
  readonly child: ChildProcess;
  /** Resolves once the command and everything the sandbox started are gone and cleanup is done. */
  readonly exited: Promise<ExitStatus>;
}

export interface Backend<Plan = unknown, HostFacts = unknown> {
  readonly name: string;
  readonly platform: Platform;
  /** What this host can enforce. Never throws: problems are reported. */
  probe(): Promise<ProbeReport>;
  /** Gathers host facts (probe, glob expansion, file states) and plans; refuses what it cannot enforce. */
  plan(policy: ResolvedPolicy, command: CommandSpec): Promise<PlanResult<Plan>>;
  /**
   * Pure planning from given host facts, usable on any OS (`cordon plan --platform`). Without facts,
   * a typical host of the backend's platform with every capability present is assumed.
   */
  planFor(policy: ResolvedPolicy, command: CommandSpec, facts?: HostFacts): PlanResult<Plan>;
  /** Starts the planned command. Exit codes and signals pass through. */
  launch(plan: Plan, options?: LaunchOptions): Promise<SandboxedProcess>;
}
