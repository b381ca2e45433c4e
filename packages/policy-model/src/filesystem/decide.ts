// decidePath: the pure access decision for one path under a ResolvedPolicy (spec 4.3-4.5).
import type { PathDecision, ResolvedPolicy } from "../resolved-policy.js";

/** Decides read/write access for one absolute path; pure, no filesystem access. (stub) */
export function decidePath(policy: ResolvedPolicy, path: string): PathDecision {
  if (policy.unrestricted) return { path, read: true, write: true, rule: ":danger-full-access (no sandbox)" };
  return { path, read: false, write: false, rule: "no rule covers this path (default deny)" };
}
