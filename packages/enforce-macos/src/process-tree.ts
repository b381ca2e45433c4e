// Finding the whole process tree of a sandboxed command (sandbox-exec execs the command in place, so
// the spawned pid is the root), to kill it on abort. Uses `ps`, present on every macOS install.
import { execFileSync } from "node:child_process";

/** Parses `ps -axo pid=,ppid=` output into the descendants of `root` (not including it), depth-first. */
export function descendantsFromPs(psOutput: string, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const line of psOutput.split("\n")) {
    const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    const ppid = Number(m[2]);
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (out.includes(pid)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Sends SIGKILL to `root` and every descendant `ps` can see; errors for gone processes are ignored. */
export function killTree(root: number): void {
  let descendants: number[] = [];
  try {
    descendants = descendantsFromPs(execFileSync("/bin/ps", ["-axo", "pid=,ppid="], { encoding: "utf8" }), root);
  } catch {
    // ps unavailable: still kill the root below.
  }
  for (const pid of [root, ...descendants]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
