// The launch spec handed to cordon-win-exec.exe: a length-prefixed text format (`key:len:value\n`) that
// the C++ side parses without a JSON library and that carries any byte, newlines included.
import { buildCommandLine } from "./argv.js";

export interface LaunchSpec {
  /** Sandbox account name (local, domain "."). */
  readonly user: string;
  /** DPAPI-protected password (base64), decrypted only inside the launcher. */
  readonly passwordBlob: string;
  /** Full command line of the runner stage, which restricts its token and starts the command. */
  readonly runnerCommandLine: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** cordon's pid: when it dies, the launcher closes the job and everything in it dies. */
  readonly parentPid: number;
}

/** The runner's command line: `"<helper>" --run <capability SID> -- <command line of the command>`. */
export function runnerCommandLine(helper: string, capabilitySid: string, argv: readonly string[]): string {
  if (!/^S-1-[0-9-]+$/.test(capabilitySid)) throw new TypeError(`bad capability SID ${capabilitySid}`);
  return `"${helper}" --run ${capabilitySid} -- ${buildCommandLine(argv)}`;
}

/** Environment entries sorted the way CreateProcess expects (case-insensitive by name). */
export function sortedEnvironment(env: Readonly<Record<string, string>>): string[] {
  for (const name of Object.keys(env)) {
    if (name === "" || name.includes("=") || name.includes("\0")) throw new TypeError(`invalid environment variable name ${JSON.stringify(name)}`);
  }
  return Object.entries(env)
    .filter(([, v]) => !v.includes("\0"))
    .sort(([a], [b]) => (a.toUpperCase() < b.toUpperCase() ? -1 : a.toUpperCase() > b.toUpperCase() ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
}

/** Encodes the spec; lengths count UTF-16 code units (the launcher works in wide strings). */
export function encodeLaunchSpec(spec: LaunchSpec): string {
  const field = (key: string, value: string): string => `${key}:${value.length}:${value}\n`;
  return [
    field("user", spec.user),
    field("password_blob", spec.passwordBlob),
    field("cmdline", spec.runnerCommandLine),
    field("cwd", spec.cwd),
    field("parent_pid", String(spec.parentPid)),
    ...sortedEnvironment(spec.env).map((e) => field("env", e)),
  ].join("");
}

/** Decodes a spec (used by tests to prove the format round-trips). */
export function decodeLaunchSpec(text: string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const c1 = text.indexOf(":", i);
    const c2 = text.indexOf(":", c1 + 1);
    if (c1 < 0 || c2 < 0) throw new Error(`malformed spec at ${i}`);
    const len = Number(text.slice(c1 + 1, c2));
    if (!Number.isInteger(len) || len < 0) throw new Error(`malformed length at ${c1}`);
    const value = text.slice(c2 + 1, c2 + 1 + len);
    if (text[c2 + 1 + len] !== "\n") throw new Error(`missing newline after field at ${i}`);
    out.push({ key: text.slice(i, c1), value });
    i = c2 + 2 + len;
  }
  return out;
}
