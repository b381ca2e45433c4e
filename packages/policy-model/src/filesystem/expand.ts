// Expands deny globs against the real filesystem, one walk per base; fails closed (E_GLOB_SCAN).
import type { DenyGlob } from "../resolved-policy.js";

/** Every concrete match of the deny globs, with the canonical (realpath) form when it differs. */
export interface GlobExpansion {
  matches: { path: string; glob: DenyGlob; canonical: string | null }[];
  scannedEntries: number;
}

/** Walks each glob base once for all globs under it. (stub) */
export function expandDenyGlobs(globs: readonly DenyGlob[], options: { maxDepth: number | null; caseSensitive: boolean }): GlobExpansion {
  void globs;
  void options;
  return { matches: [], scannedEntries: 0 };
}
