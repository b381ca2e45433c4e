// Compiles a profile's `filesystem` table into concrete PathRules and DenyGlobs (spec 4.1, 4.2, 4.5).
import type { Diagnostic } from "../errors.js";
import type { Origin } from "../origin.js";
import type { DenyGlob, PathRule, Platform } from "../resolved-policy.js";
import type { FilesystemTable } from "../schema.js";

/** Everything compileFilesystem needs to know about the host and the config (paths are absolute). */
export interface FilesystemContext {
  readonly cwd: string;
  readonly home: string;
  readonly platform: Platform;
  /** Absolute, normalized workspace roots (computed by the config layer). */
  readonly workspaceRoots: readonly string[];
  /** `$TMPDIR` when set and absolute. */
  readonly tmpdir: string | undefined;
  /** Origin of a key inside the profile's `filesystem` table, e.g. ["~/x"] or [":workspace_roots", "docs"]. */
  originOf(keyPath: readonly string[]): Origin;
}

/** The concrete form of one profile's filesystem table. */
export interface CompiledFilesystem {
  rules: PathRule[];
  denyGlobs: DenyGlob[];
  globScanMaxDepth: number | null;
  minimal: boolean;
  warnings: Diagnostic[];
}

/** Compiles a `filesystem` table; throws CordonError (E_PATH, E_GLOB) on bad keys. (stub) */
export function compileFilesystem(table: FilesystemTable | undefined, ctx: FilesystemContext): CompiledFilesystem {
  void table;
  void ctx;
  return { rules: [], denyGlobs: [], globScanMaxDepth: null, minimal: false, warnings: [] };
}
