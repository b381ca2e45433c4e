// --log-denials on macOS: Seatbelt reports each denial to the unified log as
// "Sandbox: NAME(PID) deny(N) OPERATION TARGET"; every deny in our profiles carries `(with message TAG)`,
// so this run's lines are picked out by its tag while `log stream` runs beside the command.
import { spawn, type ChildProcess } from "node:child_process";
import type { Denial } from "@cordon/policy-model";

/** What the denial log cannot show; reported with every result. */
export const DENIAL_LOG_LIMITS = [
  "The kernel rate-limits and de-duplicates sandbox reports: repeated denials of the same operation may appear once or not at all.",
  "Denials are read from the unified log (`log stream`); a denial logged before the stream was ready, or after it stopped, is missed.",
  "Operations that fail for other reasons (file permissions, missing files) are not sandbox denials and are not listed.",
] as const;

const LINE = /Sandbox: (.+?)\((\d+)\) deny\(\d+\) ([a-z0-9*-]+)(?: (.*))?$/;

/** Parses one denial message; null for lines that are not Seatbelt denials or lack `tag`. */
export function parseDenialMessage(message: string, tag: string): Denial | null {
  if (tag !== "" && !message.includes(tag)) return null;
  const m = LINE.exec(message.split("\n")[0] ?? "");
  if (!m) return null;
  const operation = m[3]!;
  const target = (m[4] ?? "").trim();
  const kind: Denial["kind"] = operation.startsWith("file-")
    ? "file"
    : operation.startsWith("network-") || operation === "system-socket"
      ? "network"
      : "other";
  return { kind, operation, target, detail: `${m[1]}(${m[2]})` };
}

/** Parses `log stream --style ndjson` output (one JSON object per line); unique denials in order. */
export function parseDenialStream(ndjson: string, tag: string): Denial[] {
  const seen = new Set<string>();
  const out: Denial[] = [];
  for (const line of ndjson.split("\n")) {
    if (!line.startsWith("{")) continue;
    let message: unknown;
    try {
      message = (JSON.parse(line) as { eventMessage?: unknown }).eventMessage;
    } catch {
      continue;
    }
    if (typeof message !== "string") continue;
    const denial = parseDenialMessage(message, tag);
    if (!denial) continue;
    const key = `${denial.operation}\u0000${denial.target}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(denial);
    }
  }
  return out;
}

/**
 * Kernel sandbox reports carrying our tag, plus the sandbox reporting subsystem (the tag filter is
 * applied to the text again afterwards). The tag is letters, digits and `-` only (checked by planFor).
 */
export function denialPredicate(tag: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(tag)) throw new Error(`invalid denial log tag ${JSON.stringify(tag)}`);
  return `(eventMessage CONTAINS "${tag}") OR (processID == 0 AND senderImagePath CONTAINS "Sandbox") OR (subsystem == "com.apple.sandbox.reporting")`;
}

/** A running `log stream`; `stop()` ends it and returns this run's denials. */
export interface DenialCollector {
  stop(): Promise<{ denials: Denial[]; limits: string[] }>;
}

/** Starts `log stream` and resolves once it reports that it is filtering (or failed to start). */
export async function startDenialCollector(tag: string, readyTimeoutMs = 3000): Promise<DenialCollector> {
  let child: ChildProcess;
  try {
    child = spawn("/usr/bin/log", ["stream", "--style", "ndjson", "--predicate", denialPredicate(tag)], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    return failedCollector(`could not start /usr/bin/log: ${String(error)}`);
  }
  let output = "";
  let ready = false;
  const extraLimits: string[] = [];
  const readyPromise = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      extraLimits.push(`log stream was not ready within ${readyTimeoutMs} ms; early denials may be missing`);
      resolve();
    }, readyTimeoutMs);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      output += text;
      if (!ready && text.includes("Filtering the log data")) {
        ready = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("error", (error) => {
      extraLimits.push(`log stream failed: ${error.message}`);
      clearTimeout(timer);
      resolve();
    });
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  await readyPromise;
  return {
    async stop() {
      // A short grace period lets the last reports of the finished command reach the stream.
      await new Promise((r) => setTimeout(r, 300));
      const closed = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once("close", () => resolve());
      });
      child.kill("SIGTERM");
      await closed;
      return { denials: parseDenialStream(output, tag), limits: [...DENIAL_LOG_LIMITS, ...extraLimits] };
    },
  };
}

function failedCollector(reason: string): DenialCollector {
  return { stop: async () => ({ denials: [], limits: [...DENIAL_LOG_LIMITS, reason] }) };
}
