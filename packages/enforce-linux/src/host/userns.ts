// Can this user create user namespaces? A cheap sysctl check for the hot path, and a real try for doctor.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Result of a user-namespace check: ok, or the problem with its fix. */
export type UsernsCheck = { readonly ok: true } | { readonly ok: false; readonly problem: string };

function readSysctl(name: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${name.replaceAll(".", "/")}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Reads the sysctls that forbid user namespaces (no process is spawned). */
export function usernsSysctlCheck(uid: number): UsernsCheck {
  if (readSysctl("user.max_user_namespaces") === "0") {
    return { ok: false, problem: "user namespaces are disabled (user.max_user_namespaces = 0): sysctl -w user.max_user_namespaces=15000" };
  }
  if (uid !== 0 && readSysctl("kernel.unprivileged_userns_clone") === "0") {
    return { ok: false, problem: "unprivileged user namespaces are disabled: sysctl -w kernel.unprivileged_userns_clone=1" };
  }
  if (uid !== 0 && readSysctl("kernel.apparmor_restrict_unprivileged_userns") === "1") {
    return {
      ok: false,
      problem: "AppArmor restricts unprivileged user namespaces: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or install an AppArmor profile for /usr/bin/bwrap)",
    };
  }
  return { ok: true };
}

/** Actually creates a user namespace with bwrap (spawns once; for `cordon doctor`). */
export function usernsTry(bwrap: string): UsernsCheck {
  const r = spawnSync(bwrap, ["--unshare-user", "--unshare-pid", "--ro-bind", "/", "/", "--", "/bin/true"], { encoding: "utf8", env: {}, timeout: 10_000 });
  if (r.status === 0) return { ok: true };
  const stderr = (r.stderr ?? "").trim() || (r.error?.message ?? `exit ${r.status}`);
  return { ok: false, problem: `creating a user namespace failed (${stderr}): sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 or kernel.unprivileged_userns_clone=1` };
}

/** `bwrap --version` → "0.8.0" (spawns once). */
export function bwrapVersion(bwrap: string): string {
  const r = spawnSync(bwrap, ["--version"], { encoding: "utf8", env: {}, timeout: 10_000 });
  const m = /bubblewrap\s+(\S+)/.exec(r.stdout ?? "");
  return m?.[1] ?? "unknown";
}
