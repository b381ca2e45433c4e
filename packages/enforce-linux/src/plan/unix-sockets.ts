// Allowed unix sockets (spec 5): refused unless cordon-exec mediates connect(2); with mediation, the exact
// allowed paths (canonical, as the sandbox sees them) go into the ExecSpec and are made visible in the view.
import { decidePath, formatOrigin, parentPath, type Refusal, type ResolvedPolicy } from "@cordon/policy-model";
import type { LinuxHostFacts } from "../types.js";
import { canonicalOf } from "./facts-lookup.js";
import type { ExtraPath } from "./view.js";

/** What the plan needs for the policy's allowed unix sockets. */
export interface UnixSocketPlan {
  /** ExecSpec.unixSockets.allow; null = no socket is allowed (seccomp then denies socket(AF_UNIX) outright). */
  readonly allow: readonly string[] | null;
  /** Paths the view must expose (an allowed socket under a mask is bound in). */
  readonly extras: readonly ExtraPath[];
  readonly refusals: readonly Refusal[];
}

function ruleName(path: string, origin: Parameters<typeof formatOrigin>[0]): string {
  return `unix_sockets."${path}" = "allow" (${formatOrigin(origin)})`;
}

/** Plans the allowed unix sockets of `policy` on a host described by `facts`. */
export function planUnixSockets(policy: ResolvedPolicy, facts: LinuxHostFacts): UnixSocketPlan {
  const allowed = policy.network.unixSockets.filter((s) => s.decision === "allow");
  if (allowed.length === 0) return { allow: null, extras: [], refusals: [] };
  if (!facts.unixSocketMediation) {
    return {
      allow: null,
      extras: [],
      refusals: allowed.map((s) => ({
        rule: ruleName(s.path, s.origin),
        reason:
          "allowing a unix socket is not supported by this cordon-exec: its seccomp filter cannot open one socket path without opening every pathname socket the sandbox can see (no unix socket mediation in the native helper)",
      })),
    };
  }
  const allow = new Set<string>();
  const extras: ExtraPath[] = [];
  const refusals: Refusal[] = [];
  for (const s of allowed) {
    // The supervisor compares canonical paths; a symlinked spelling (/var/run → /run) is allowed by its target.
    const canonical = canonicalOf(facts, s.path) ?? s.path;
    // In a directory the command can write, it could rename another socket it can reach into the
    // allowed name, and the supervisor would connect to it: refuse instead (least privilege).
    for (const dir of new Set([parentPath(s.path), parentPath(canonical)])) {
      if (decidePath(policy, dir).write) {
        refusals.push({ rule: ruleName(s.path, s.origin), reason: `the socket's directory ${dir} is writable inside the sandbox, so the command could put another socket under the allowed name; allow a socket in a directory the profile does not make writable` });
      }
    }
    allow.add(canonical);
    extras.push({ path: s.path, want: "at-least-read", why: `${ruleName(s.path, s.origin)}: the allowed socket stays visible` });
  }
  if (refusals.length > 0) return { allow: null, extras: [], refusals };
  return { allow: [...allow].sort(), extras, refusals: [] };
}
