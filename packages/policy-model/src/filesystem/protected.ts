// Finds protected metadata (.git, .cordon, .codex, .agents) under writable roots and cordon's policy paths (spec 4.4).
import type { PathRule, ProtectedPath } from "../resolved-policy.js";

/** Lists the paths that stay read-only (and uncreatable when missing) inside the sandbox. (stub) */
export function findProtectedPaths(rules: readonly PathRule[], policyPaths: readonly { path: string; name: string }[]): ProtectedPath[] {
  void rules;
  void policyPaths;
  return [];
}
