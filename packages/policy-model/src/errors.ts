// The one error type policy-model throws: it always names where (file:line) and what (key path).
import { formatOrigin, type Origin } from "./origin.js";

export type ErrorCode =
  | "E_TOML_SYNTAX" // the file is not valid TOML
  | "E_IO" // a file could not be read
  | "E_SCHEMA" // wrong type, bad value
  | "E_UNKNOWN_KEY" // a key the schema does not know
  | "E_PATH" // a filesystem key that is not absolute / ~ / :token, bad subpath, bad nesting
  | "E_GLOB" // a glob used where it is not allowed, or with no literal prefix
  | "E_DOMAIN" // a bad domain pattern
  | "E_PROFILE" // undefined profile, reserved name, bad extends, cycle
  | "E_REQUIREMENTS" // allowed_permission_profiles / managed default problems
  | "E_NOT_ALLOWED" // selection refused by the managed allowlist
  | "E_LEGACY" // sandbox_mode mixed with permission profiles
  | "E_OVERRIDE" // a malformed -c KEY=VALUE
  | "E_GLOB_SCAN"; // deny-glob expansion failed (fail closed)

/**
 * A problem in the user's configuration or in what it asks for. `message` is complete and
 * human-readable on its own (it already contains the location); the fields are for tools.
 */
export class CordonError extends Error {
  readonly code: ErrorCode;
  readonly origin: Origin | undefined;
  readonly keyPath: readonly string[] | undefined;
  /** Exit code the CLI should use for this error (2 = bad config/usage, 3 = refused). */
  readonly exitCode: 2 | 3;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { origin?: Origin; keyPath?: readonly string[]; exitCode?: 2 | 3; cause?: unknown } = {},
  ) {
    super(composeMessage(detail, options.origin, options.keyPath), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CordonError";
    this.code = code;
    this.origin = options.origin;
    this.keyPath = options.keyPath;
    this.exitCode = options.exitCode ?? (code === "E_NOT_ALLOWED" ? 3 : 2);
  }
}

/** Renders a TOML key path the way a user would write it: permissions.p.filesystem."~/x". */
export function formatKeyPath(keyPath: readonly string[]): string {
  return keyPath.map((k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k))).join(".");
}

function composeMessage(detail: string, origin: Origin | undefined, keyPath: readonly string[] | undefined): string {
  const where = origin ? formatOrigin(origin) : undefined;
  const key = keyPath && keyPath.length > 0 ? formatKeyPath(keyPath) : undefined;
  const prefix = [where, key ? `key ${key}` : undefined].filter(Boolean).join(": ");
  return prefix ? `${prefix}: ${detail}` : detail;
}

/** A non-fatal finding, printed by `cordon check` and as warnings by other commands. */
export interface Diagnostic {
  readonly message: string;
  readonly origin?: Origin;
  readonly keyPath?: readonly string[];
}

export function formatDiagnostic(d: Diagnostic): string {
  return composeMessage(d.message, d.origin, d.keyPath);
}
