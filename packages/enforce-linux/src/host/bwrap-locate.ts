// Finds a bubblewrap binary cordon can trust: /usr/bin/bwrap first, never one in the cwd or a relative
// PATH entry, and only a root-owned file nobody else can write (a replaced bwrap would run unsandboxed).
import { statSync } from "node:fs";
import path from "node:path";

/** Where bwrap was found, or why no trusted one was. */
export type BwrapLocation = { readonly path: string } | { readonly path: null; readonly problem: string };

const PREFERRED = ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"];

/** Why `file` is not trustworthy, or undefined when it is. */
export function untrustedReason(file: string): string | undefined {
  let st;
  try {
    st = statSync(file);
  } catch {
    return "does not exist";
  }
  if (!st.isFile()) return "is not a regular file";
  if ((st.mode & 0o111) === 0) return "is not executable";
  if (st.uid !== 0) return `is owned by uid ${st.uid}, not root`;
  if ((st.mode & 0o022) !== 0) return "is writable by group or others";
  return undefined;
}

/** Locates a trusted bwrap; `searchPath` is the host PATH (only absolute entries outside `cwd` count). */
export function locateBwrap(searchPath: string | undefined, cwd: string): BwrapLocation {
  const rejected: string[] = [];
  const candidates = [...PREFERRED];
  for (const dir of (searchPath ?? "").split(":")) {
    if (!path.isAbsolute(dir)) continue; // a relative entry resolves against whatever directory cordon runs in
    const resolved = path.resolve(dir);
    if (resolved === cwd || resolved.startsWith(cwd.endsWith("/") ? cwd : cwd + "/")) continue;
    candidates.push(path.join(resolved, "bwrap"));
  }
  for (const file of new Set(candidates)) {
    const reason = untrustedReason(file);
    if (reason === undefined) return { path: file };
    if (reason !== "does not exist") rejected.push(`${file} ${reason}`);
  }
  const problem =
    rejected.length > 0
      ? `no trusted bubblewrap found (${rejected.join("; ")}): apt-get install bubblewrap (a root-owned /usr/bin/bwrap)`
      : "bubblewrap is not installed: apt-get install bubblewrap (dnf install bubblewrap, pacman -S bubblewrap)";
  return { path: null, problem };
}
