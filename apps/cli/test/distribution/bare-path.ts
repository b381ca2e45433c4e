// Builds a PATH with only the programs a user's install and run need — node, sh, echo — and no compiler or build tool.
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";

/** What must not be reachable: anything that could compile a native addon during install. */
export const BUILD_TOOLS = ["cc", "gcc", "g++", "c++", "clang", "clang++", "make", "gmake", "python", "python3", "node-gyp", "ld"] as const;

/** Finds `name` in a PATH string; undefined when absent. */
export function which(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Creates `dir` holding symlinks to node (this process's), sh and echo, and returns it as the whole PATH.
 * A symlink per tool rather than the tools' own directories: on Debian node lives in /usr/bin, next to cc and make.
 */
export function makeBarePath(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const tools: Record<string, string | undefined> = {
    node: process.execPath,
    sh: ["/bin/sh", "/usr/bin/sh"].find((file) => existsSync(file)),
    echo: ["/bin/echo", "/usr/bin/echo"].find((file) => existsSync(file)),
  };
  for (const [name, target] of Object.entries(tools)) {
    if (target === undefined) throw new Error(`cannot build the bare PATH: no ${name} on this host`);
    symlinkSync(target, path.join(dir, name));
  }
  return dir;
}
