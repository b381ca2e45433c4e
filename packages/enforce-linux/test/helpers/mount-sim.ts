// Simulates the mount table a bwrap argv builds, to check what each path ends up showing (FS-13 defence).
import { isWithin } from "@cordon/policy-model";

export interface SimMount {
  readonly dest: string;
  /** host: the host's content at dest; synthetic: a tmpfs, a mask or a private /dev or /proc. */
  readonly kind: "host" | "synthetic";
  readOnly: boolean;
}

/** Replays the mount options of a bwrap argv (everything before `--`), in order. */
export function simulateMounts(argv: readonly string[], emptyFile: string): SimMount[] {
  const mounts: SimMount[] = [];
  const end = argv.indexOf("--");
  const args = argv.slice(1, end === -1 ? undefined : end);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = (n: number): string => {
      const v = args[i + n];
      if (v === undefined) throw new Error(`${a} lacks an argument`);
      return v;
    };
    switch (a) {
      case "--bind":
      case "--ro-bind": {
        const src = next(1);
        const dest = next(2);
        i += 2;
        if (src === emptyFile) mounts.push({ dest, kind: "synthetic", readOnly: true });
        else {
          if (src !== dest) throw new Error(`bind ${src} -> ${dest}: the simulator expects identity binds`);
          mounts.push({ dest, kind: "host", readOnly: a === "--ro-bind" });
        }
        break;
      }
      case "--tmpfs":
      case "--dev":
      case "--proc":
        mounts.push({ dest: next(1), kind: "synthetic", readOnly: a !== "--tmpfs" ? false : false });
        i += 1;
        break;
      case "--remount-ro": {
        const dest = next(1);
        i += 1;
        const target = [...mounts].reverse().find((m) => m.dest === dest);
        if (!target) throw new Error(`--remount-ro ${dest}: nothing mounted there`);
        target.readOnly = true;
        break;
      }
      case "--symlink":
        i += 2;
        break;
      case "--perms":
      case "--chdir":
      case "--dir":
      case "--cap-drop":
        i += 1;
        break;
      default:
        if (!a.startsWith("--")) throw new Error(`unexpected bwrap argument ${a}`);
    }
  }
  return mounts;
}

/** What the sandbox can do with the host's content at `path`: the last mount at or above it decides. */
export function simulatedAccess(mounts: readonly SimMount[], path: string, exists: boolean): { read: boolean; write: boolean; creatable: boolean } {
  let last: SimMount | undefined;
  for (const m of mounts) if (isWithin(path, m.dest)) last = m;
  if (!last || last.kind === "synthetic") return { read: false, write: false, creatable: false };
  const hostWritable = !last.readOnly;
  return { read: exists, write: exists && hostWritable, creatable: !exists && hostWritable && last.dest !== path };
}
