// Reads host facts for the pure planner: lstat kinds, canonical forms, and the first symlink on a path.
import type { LinuxHostFacts, PathFact } from "../types.js";
import { ancestorsOf } from "./access.js";

const ASSUMED_DIRECTORY: PathFact = { kind: "directory", nlink: 1 };

/** The recorded fact for `path`; paths the gatherer did not record are assumed to be existing directories. */
export function factOf(facts: LinuxHostFacts, path: string): PathFact {
  return facts.paths[path] ?? ASSUMED_DIRECTORY;
}

/** The first component of `path` (an ancestor or the path itself) that is a symlink, if any. */
export function firstSymlinkOn(facts: LinuxHostFacts, path: string): string | undefined {
  for (const p of [...ancestorsOf(path), path]) {
    if (p !== "/" && factOf(facts, p).kind === "symlink") return p;
  }
  return undefined;
}

/** The canonical form of `path` (itself when no component is a symlink); undefined when a symlink dangles. */
export function canonicalOf(facts: LinuxHostFacts, path: string): string | undefined {
  if (!firstSymlinkOn(facts, path)) return path;
  return facts.canonical[path];
}
