// What `--log-denials` can and cannot observe on Linux, said plainly in every exit status.
import type { LinuxPlan } from "./types.js";

/** Honest limits of the Linux denial log for a plan. */
export function denialLogLimits(plan: LinuxPlan): string[] {
  if (plan.mode === "direct") return ["no sandbox: nothing is denied under an unrestricted profile"];
  const limits = [
    "seccomp denials (EPERM) are not logged by the kernel, so blocked syscalls are not listed",
    "Landlock denials are only logged to the kernel audit log (Landlock ABI 7, auditd or CAP_AUDIT_READ), which cordon does not read",
  ];
  if (plan.mode === "bwrap") limits.unshift("reads of masked paths return EACCES or an empty view inside the sandbox and are not observable from outside");
  return limits;
}
