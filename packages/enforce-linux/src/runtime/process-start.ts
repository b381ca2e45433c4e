// Identifies a live process by pid plus start time, so a reused pid is not mistaken for a dead launcher.
import { readFileSync } from "node:fs";

/** Start time of `pid` (/proc/<pid>/stat field 22), or undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) may contain spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}
