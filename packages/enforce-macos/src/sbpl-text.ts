// The one place where text enters a Seatbelt profile: string literals and parameter references.
// Paths never pass through here (they travel as `-D NAME=value`); only fixed names and glob-tail regexes do.

/** Thrown when a string cannot be written into SBPL safely (a bug or hostile input; never silently altered). */
export class SbplTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SbplTextError";
  }
}

/**
 * Renders `value` as an SBPL (TinyScheme) string literal: wrapped in double quotes, with `\` and `"`
 * escaped. Control characters (including NUL and newlines) are refused: SBPL has no portable escape for
 * them and nothing cordon emits needs them.
 */
export function sbplString(value: string): string {
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) {
      throw new SbplTextError(`control character U+${code.toString(16).padStart(4, "0")} cannot appear in a Seatbelt string`);
    }
  }
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Parameter names are ours: upper-case ASCII, digits and `_`, so `-D NAME=value` splits unambiguously. */
export const PARAM_NAME = /^[A-Z][A-Z0-9_]*$/;

/** `(param "NAME")`: the value is supplied on the sandbox-exec command line, never in the profile. */
export function paramRef(name: string): string {
  if (!PARAM_NAME.test(name)) throw new SbplTextError(`invalid Seatbelt parameter name ${JSON.stringify(name)}`);
  return `(param ${sbplString(name)})`;
}
