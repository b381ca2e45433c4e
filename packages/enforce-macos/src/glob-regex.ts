// Deny glob → Seatbelt filter parts: the literal base directory (passed as a -D parameter, matched with
// `subpath`) and a case-insensitive regex for the rest (MAC-08, FS-21).
//
// The regex never contains path text from the base: it is anchored by counting the base's components
// (`^/[^/]+/[^/]+…`), so together with `(subpath BASE)` it matches exactly BASE/<tail>. It uses only
// constructs that mean the same in Seatbelt's regex engine, POSIX ERE and JavaScript: `^ $ . * ?`,
// capturing groups `( )` with `?`, and bracket classes. No backslashes, no `(?:`, no lookaround, no
// `(?i)` (case is folded with `[aA]` classes), no `{n}` counts, no `|`. Characters that would need a
// dialect-specific escape (`\ ^ ] "`, control characters) and non-ASCII text (whose case and Unicode
// normalization a byte regex cannot fold) are refused with a reason rather than approximated.
import { expandGlob, GlobCompileError, type ClassItem, type FlatToken } from "./glob-tokens.js";

export { GlobCompileError } from "./glob-tokens.js";

/** One expanded alternative of a deny glob. */
export interface GlobAlternative {
  /** Literal directory prefix (absolute, never `/`). */
  readonly base: string;
  /**
   * Regex source for the part after the base, starting at its `/`; null when the alternative is an
   * exact path (then `subpath BASE` alone is the filter). Combine with {@link anchoredRegex}.
   */
  readonly tail: string | null;
  /** Number of components of `base`; the tail regex is anchored behind that many components. */
  readonly baseDepth: number;
}

/** Characters that are literal in glob text but would need a dialect-specific escape in a regex. */
const REFUSED_LITERALS = new Set(["\\", "^", "]", '"']);
/** Regex metacharacters written as a one-character bracket class (`[.]`), valid in every dialect. */
const BRACKETED_LITERALS = new Set([".", "*", "+", "?", "(", ")", "{", "}", "|", "$", "["]);

/** Compiles a deny glob into one or more alternatives (brace groups expand); throws GlobCompileError. */
export function compileDenyGlob(pattern: string): GlobAlternative[] {
  if (!pattern.startsWith("/")) throw new GlobCompileError(`deny glob \`${pattern}\` is not absolute`);
  const seen = new Set<string>();
  const out: GlobAlternative[] = [];
  for (const tokens of expandGlob(pattern)) {
    const alt = compileAlternative(tokens, pattern);
    const key = `${alt.base}\u0000${alt.tail ?? ""}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(alt);
    }
  }
  return out;
}

/** `^` + one `/[^/]+` per base component + tail + `$`; matches whole paths under a base of that depth. */
export function anchoredRegex(tail: string, baseDepth: number): string {
  return `^${"/[^/]+".repeat(baseDepth)}${tail}$`;
}

function compileAlternative(tokens: readonly FlatToken[], pattern: string): GlobAlternative {
  const components = splitComponents(tokens);
  // components[0] is the empty text before the leading `/`.
  if (components[0]!.length !== 0) throw new GlobCompileError(`deny glob \`${pattern}\` is not absolute`);
  const rest = components.slice(1);
  if (rest.some((c) => c.length === 0)) {
    throw new GlobCompileError(`deny glob \`${pattern}\` has an empty path component (\`//\` or a trailing \`/\`)`);
  }
  let literalCount = 0;
  while (literalCount < rest.length && rest[literalCount]!.every((t) => t.kind === "literal")) literalCount++;
  if (literalCount === 0) {
    throw new GlobCompileError(`deny glob \`${pattern}\` has no literal directory prefix below \`/\``);
  }
  const baseComponents = rest.slice(0, literalCount).map((c) => c.map((t) => (t.kind === "literal" ? t.char : "")).join(""));
  if (baseComponents.some((c) => c === "." || c === "..")) {
    throw new GlobCompileError(`deny glob \`${pattern}\` contains a \`.\` or \`..\` component`);
  }
  const base = `/${baseComponents.join("/")}`;
  const tailComponents = rest.slice(literalCount);
  if (tailComponents.length === 0) return { base, tail: null, baseDepth: baseComponents.length };
  let tail = "";
  let endsWithGlobstar = false;
  for (const comp of tailComponents) {
    endsWithGlobstar = isGlobstar(comp);
    tail += endsWithGlobstar ? "(/.*)?" : `/${componentRegex(comp, pattern)}`;
  }
  // A deny covers everything beneath each match, as a Linux mask over a matched directory does.
  if (!endsWithGlobstar) tail += "(/.*)?";
  return { base, tail, baseDepth: baseComponents.length };
}

function splitComponents(tokens: readonly FlatToken[]): FlatToken[][] {
  const comps: FlatToken[][] = [[]];
  for (const t of tokens) {
    if (t.kind === "sep") comps.push([]);
    else comps[comps.length - 1]!.push(t);
  }
  return comps;
}

function isGlobstar(comp: readonly FlatToken[]): boolean {
  return comp.length === 1 && comp[0]!.kind === "star" && comp[0]!.run >= 2;
}

function componentRegex(comp: readonly FlatToken[], pattern: string): string {
  let out = "";
  for (const t of comp) {
    switch (t.kind) {
      case "literal":
        out += literalRegex(t.char, pattern);
        break;
      case "star":
        out += "[^/]*"; // a `**` inside a component acts like `*`
        break;
      case "qmark":
        out += "[^/]";
        break;
      case "class":
        out += classRegex(t.negated, t.items, pattern);
        break;
      case "sep":
        break; // not reachable: components are split at separators
    }
  }
  return out;
}

function checkAscii(ch: string, pattern: string): void {
  const code = ch.codePointAt(0) ?? 0;
  if (code > 0x7e) {
    throw new GlobCompileError(
      `deny glob \`${pattern}\` contains the non-ASCII character \`${ch}\` after its literal prefix; Seatbelt regexes cannot fold its case or Unicode normalization`,
    );
  }
  if (code < 0x20 || code === 0x7f) {
    throw new GlobCompileError(`deny glob \`${pattern}\` contains a control character after its literal prefix`);
  }
}

function isLetter(ch: string): boolean {
  return /^[A-Za-z]$/.test(ch);
}

function otherCase(ch: string): string {
  return ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase();
}

function literalRegex(ch: string, pattern: string): string {
  checkAscii(ch, pattern);
  if (REFUSED_LITERALS.has(ch)) {
    throw new GlobCompileError(`deny glob \`${pattern}\` contains \`${ch}\` after its literal prefix, which cannot be written portably in a Seatbelt regex`);
  }
  if (isLetter(ch)) return `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
  if (BRACKETED_LITERALS.has(ch)) return `[${ch}]`;
  return ch;
}

function classRegex(negated: boolean, items: readonly ClassItem[], pattern: string): string {
  const members: string[] = [];
  let hasDash = false;
  const add = (text: string): void => {
    if (!members.includes(text)) members.push(text);
  };
  for (const { lo, hi } of items) {
    checkAscii(lo, pattern);
    checkAscii(hi, pattern);
    for (const ch of [lo, hi]) {
      if (ch === "\\" || ch === "^" || ch === "]" || ch === "[") {
        throw new GlobCompileError(`deny glob \`${pattern}\` has \`${ch}\` inside a character class, which cannot be written portably in a Seatbelt regex`);
      }
    }
    if (lo === hi) {
      if (lo === "-") hasDash = true;
      else if (lo === "/") continue; // a class never matches `/`
      else {
        add(lo);
        if (isLetter(lo)) add(otherCase(lo));
      }
      continue;
    }
    if (lo === "-" || hi === "-") {
      throw new GlobCompileError(`deny glob \`${pattern}\` has a character range bounded by \`-\``);
    }
    const lower = /^[a-z]$/;
    const upper = /^[A-Z]$/;
    const bothLower = lower.test(lo) && lower.test(hi);
    const bothUpper = upper.test(lo) && upper.test(hi);
    const hasLetters = [...rangeChars(lo, hi)].some(isLetter);
    if (hasLetters && !bothLower && !bothUpper) {
      throw new GlobCompileError(`deny glob \`${pattern}\` has the range \`${lo}-${hi}\`, whose case cannot be folded in a Seatbelt regex`);
    }
    if (lo <= "/" && "/" <= hi) {
      throw new GlobCompileError(`deny glob \`${pattern}\` has the range \`${lo}-${hi}\`, which spans \`/\``);
    }
    add(`${lo}-${hi}`);
    if (bothLower || bothUpper) add(`${otherCase(lo)}-${otherCase(hi)}`);
  }
  // `-` last so it is literal; a negated class also excludes `/` (classes never match it).
  const body = members.join("") + (negated ? "/" : "") + (hasDash ? "-" : "");
  if (body === "") throw new GlobCompileError(`deny glob \`${pattern}\` has an empty character class`);
  return `[${negated ? "^" : ""}${body}]`;
}

function* rangeChars(lo: string, hi: string): Generator<string> {
  for (let c = lo.charCodeAt(0); c <= hi.charCodeAt(0); c++) yield String.fromCharCode(c);
}
