// Turns the mount view into a bubblewrap argument list (namespaces, base view, mounts, read-only remounts).
import type { MountOp } from "../types.js";
import type { AccessState } from "./access.js";
import { socketPlaceholder } from "../network/network-plan.js";

/** Namespaces and process hygiene for every sandbox (spec: no network, no host pids/ipc, no ctty, no caps). */
export const NAMESPACE_ARGS: readonly string[] = [
  "--new-session", // setsid: no controlling terminal, so TIOCSTI cannot reach the caller's tty (PROC-06)
  "--die-with-parent", // the sandbox dies with the launcher (PROC-05)
  "--unshare-user", // explicit: bwrap skips the automatic user namespace when run as root
  "--disable-userns", // no nested user namespaces (PROC-16, FS-30)
  "--unshare-pid",
  "--unshare-net",
  "--unshare-ipc",
  "--unshare-uts",
  "--unshare-cgroup-try",
  "--cap-drop",
  "ALL", // root inside the user namespace keeps no capabilities (FS-29)
];

/** The base view and fixed mounts that come before the policy's mounts. */
export function baseMounts(rootState: AccessState): MountOp[] {
  const base: MountOp =
    rootState === "write"
      ? { op: "bind", src: "/", dest: "/", why: "root is writable" }
      : rootState === "read"
        ? { op: "ro-bind", src: "/", dest: "/", why: "root is readable" }
        : { op: "tmpfs", dest: "/", perms: "0755", readOnly: true, why: "root is not readable: an empty read-only root with only the allowed paths mounted" };
  return [
    base,
    { op: "dev", dest: "/dev", why: "a private minimal /dev (null, zero, full, random, urandom, tty, pts, shm)" },
    { op: "proc", dest: "/proc", why: "the sandbox's own procfs (its pid namespace only)" },
  ];
}

/** The read-only remounts, which go last so the tmpfs can first receive the mount points inside it. */
export function remounts(mounts: readonly MountOp[]): MountOp[] {
  return mounts.filter((m) => m.op === "tmpfs" && m.readOnly).map((m) => ({ op: "remount-ro", dest: m.dest, why: `make ${m.dest} read-only` }));
}

/** bwrap arguments for an ordered mount list; `emptyFile` is the mode-000 empty file masks bind. */
export function mountArgs(mounts: readonly MountOp[], emptyFile: string): string[] {
  const args: string[] = [];
  for (const m of mounts) {
    switch (m.op) {
      case "bind":
        args.push("--bind", m.src, m.dest);
        break;
      case "ro-bind":
        args.push("--ro-bind", m.src, m.dest);
        break;
      case "tmpfs":
        args.push("--perms", m.perms, "--tmpfs", m.dest);
        break;
      case "mask-file":
        args.push("--ro-bind", emptyFile, m.dest);
        break;
      case "dir":
        args.push("--perms", m.perms, "--dir", m.dest);
        break;
      case "symlink":
        args.push("--symlink", m.target, m.dest);
        break;
      case "remount-ro":
        args.push("--remount-ro", m.dest);
        break;
      case "proxy-socket":
        args.push("--ro-bind", socketPlaceholder(m.endpoint), m.dest);
        break;
      case "dev":
        args.push("--dev", "/dev");
        break;
      case "proc":
        args.push("--proc", "/proc");
        break;
    }
  }
  return args;
}
