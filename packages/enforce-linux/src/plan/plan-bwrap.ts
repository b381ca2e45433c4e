// The bubblewrap plan: namespaces + the ordered mount view + the exec helper applying Landlock and seccomp.
import type { CommandSpec, PlanResult, ResolvedPolicy } from "@cordon/policy-model";
import type { LinuxHostFacts, LinuxPlan } from "../types.js";
import { baseMounts, mountArgs, NAMESPACE_ARGS, remounts } from "./bwrap-args.js";
import { landlockSpec, rulesForView } from "./landlock-rules.js";
import { buildView, type ExtraPath } from "./view.js";
import { planUnixSockets } from "./unix-sockets.js";
import { bridgeArgument, networkLandlockTcp, networkMounts, networkSeccomp, planNetwork, proxyEnvironment } from "../network/network-plan.js";

/** File descriptor the helper reads its ExecSpec from (the first one after stdio). */
export const SPEC_FD = 3;
/** Name of the unreadable empty file in the runtime dir that file masks bind. */
export const EMPTY_FILE_NAME = "empty";

/** Paths cordon itself needs handled in the view, besides the policy's. */
export function cordonExtras(policy: ResolvedPolicy, facts: LinuxHostFacts, includeRuntimeDir: boolean): ExtraPath[] {
  const extras: ExtraPath[] = [];
  if (facts.execHelper) extras.push({ path: facts.execHelper, want: "exactly-read", why: "cordon's exec helper (read-only, so the sandbox cannot replace it)" });
  if (policy.filesystem.minimal && facts.commandPath) extras.push({ path: facts.commandPath, want: "at-least-read", why: ":minimal: the command's executable" });
  if (includeRuntimeDir) extras.push({ path: facts.runtimeDir, want: "deny", why: "cordon's runtime dir (placeholder journal, mask file)" });
  return extras;
}

/** Plans a bwrap launch; refusals are returned, never thrown. */
export function planBwrap(policy: ResolvedPolicy, command: CommandSpec, facts: LinuxHostFacts): PlanResult<LinuxPlan> {
  const refusals = [];
  if (!facts.bwrap) {
    refusals.push({ rule: "(bubblewrap)", reason: "bubblewrap is not installed (or only found in an untrusted location): apt-get install bubblewrap" });
  } else if (!facts.userNamespaces) {
    refusals.push({
      rule: "(user namespaces)",
      reason: "this user cannot create user namespaces, which bubblewrap needs: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu), sysctl -w kernel.unprivileged_userns_clone=1 (older Debian), or sysctl -w user.max_user_namespaces=15000",
    });
  }
  if (facts.uid === 0 && facts.landlockAbi < 1) {
    refusals.push({
      rule: "(running as root)",
      reason: "as root, a user namespace alone does not stop writes to /proc/sys and similar; cordon needs Landlock (Linux >= 5.13 with landlock in the lsm= list) to run as root",
    });
  }
  const sockets = planUnixSockets(policy, facts);
  refusals.push(...sockets.refusals);
  const view = buildView(policy, facts, [...cordonExtras(policy, facts, true), ...sockets.extras]);
  refusals.push(...view.refusals);
  if (refusals.length > 0) return { ok: false, refusal: refusals };

  const net = policy.network.enabled ? planNetwork(policy.network) : null;
  const mounts = [...baseMounts(view.rootState), ...(net ? networkMounts(net) : []), ...view.mounts];
  const allMounts = [...mounts, ...remounts(mounts)];
  const emptyFile = `${facts.runtimeDir}/${EMPTY_FILE_NAME}`;
  const helper = facts.execHelper!;
  const bwrapArgs = [...NAMESPACE_ARGS, ...mountArgs(allMounts, emptyFile), "--chdir", command.cwd];
  const helperArgs = ["--spec-fd", String(SPEC_FD), ...(net ? ["--bridge", bridgeArgument(net)] : [])];
  const argv = [facts.bwrap!.path, ...bwrapArgs, "--", helper, ...helperArgs, "--", ...command.argv];
  const landlock = landlockSpec(facts.landlockAbi, rulesForView(view.rootState, view.mounts), { requireScopes: false, ...(net ? { tcp: networkLandlockTcp(net) } : {}) });
  return {
    ok: true,
    plan: {
      mode: "bwrap",
      profile: policy.profile,
      argv,
      cwd: command.cwd,
      env: net ? proxyEnvironment(command.env, net) : command.env,
      mounts: allMounts,
      placeholders: view.placeholders,
      execSpec: { landlock, keepFds: [], newSession: true, newKeyring: true, ...(sockets.allow ? { unixSockets: { allow: sockets.allow } } : {}) },
      seccomp: net ? networkSeccomp(sockets.allow !== null) : { network: "none", allowUnixSockets: sockets.allow !== null },
      specFd: SPEC_FD,
      runtimeDir: facts.runtimeDir,
      network: net,
      notes: [
        ...view.notes,
        ...(net ? networkNotes(net) : ["network: off (a private network namespace with only loopback; seccomp allows no inet sockets)"]),
        sockets.allow ? `unix sockets: cordon-exec mediates every connect(2); only ${sockets.allow.join(", ")} can be reached` : "unix sockets: seccomp denies creating any (none is allowed)",
        landlock ? `Landlock ABI ${facts.landlockAbi} mirrors the mounts (defence in depth)` : "Landlock is unavailable on this kernel: the mount namespace alone enforces the filesystem rules",
        "deny globs are expanded when the sandbox starts: matching files created later are not masked",
      ],
    },
  };
}

/** What the plan says about the network route. */
function networkNotes(net: NonNullable<LinuxPlan["network"]>): string[] {
  const ports = net.routes.map((r) => `${r.port} (${r.endpoint === "proxy" ? (net.socksPort === r.port ? "HTTP + SOCKS5" : "HTTP") : "SOCKS5"})`).join(", ");
  const notes = [
    `network: the only route out is cordon's egress proxy (a unix socket of this run, mounted at ${net.routes[0]!.sandboxPath}), bridged to 127.0.0.1 and [::1] port ${ports} inside a private network namespace`,
    `network: seccomp allows inet sockets (the namespace only has loopback); Landlock ${net.policy.allowLocalBinding ? "leaves TCP bind and connect to the namespace's loopback (allow_local_binding = true)" : "allows TCP connect only to the bridge ports and no bind"}`,
    "network: the proxy decides every host by the profile's domain rules before any DNS lookup, then checks every resolved address (no DNS inside the sandbox)",
  ];
  if (net.policy.enableSocks5Udp) notes.push("network: enable_socks5_udp has no effect here: the bridge carries TCP only, so SOCKS5 UDP ASSOCIATE is refused");
  return notes;
}
