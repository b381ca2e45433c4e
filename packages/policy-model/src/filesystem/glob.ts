// Glob matching for deny globs (spec 4.5), built on micromatch with dot:true.
import micromatch from "micromatch";

/** True when `path` matches `pattern`; `*` and `?` never cross `/`, dotfiles match. */
export function globMatches(pattern: string, path: string, caseSensitive: boolean): boolean {
  return micromatch.isMatch(path, pattern, { dot: true, nocase: !caseSensitive });
}
