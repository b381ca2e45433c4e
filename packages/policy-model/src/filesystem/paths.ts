// POSIX path helpers shared by the filesystem model: lexical normalization and component-wise containment.

/** POSIX-normalizes an absolute path lexically: collapses `//`, resolves `.` and `..`, no trailing slash except "/". */
export function normalizeAbsolute(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

/** True when `path` equals `root` or lies beneath it, component-wise (`/repo/ab` is not within `/repo/a`). */
export function isWithin(path: string, root: string): boolean {
  if (root === "/") return path.startsWith("/");
  return path === root || path.startsWith(root + "/");
}
