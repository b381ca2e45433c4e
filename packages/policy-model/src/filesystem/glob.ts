// Deny-glob syntax (spec 4.5): one tokenizer defines the grammar, micromatch (dot:true) compiles it.
//
// Grammar: `*` and `?` match within one component (never `/`); a component that is exactly `**`
// matches zero or more components; elsewhere `**` acts like `*`. `[abc]`, `[a-z]`, `[!x]`/`[^x]`
// classes (a `]` right after the opening bracket is a member; an unclosed `[` is literal; a class
// never matches `/`). `{a,b}` alternation (nestable, may span `/`) and `{1..3}`/`{a..c}` ranges; a
// brace group without a top-level comma or range is literal. `\` escapes the next character.
// Dotfiles match every wildcard. Everything else is literal — including `( ) | + @ ! "`, which
// micromatch would otherwise read as regex groups, extglobs, negation or quotes, and POSIX classes
// such as `[[:alpha:]]`, which are rejected so that a deny never silently means something else.
// Patterns use `/` separators on every platform (Windows drive patterns look like `C:/repo/**/x`).
import micromatch from "micromatch";

/** One literal character run, unescaped. */
interface LiteralToken { readonly kind: "literal"; readonly text: string }
/** A component separator `/`. */
interface SepToken { readonly kind: "sep" }
/** A run of `*` (length 1 = star; length >= 2 forming a whole component = globstar). */
interface StarToken { readonly kind: "star"; readonly run: number }
interface QmarkToken { readonly kind: "qmark" }
interface ClassToken { readonly kind: "class"; readonly negated: boolean; readonly items: readonly { lo: string; hi: string }[] }
interface BraceToken { readonly kind: "brace"; readonly alternatives: readonly GlobToken[][] }
interface RangeToken { readonly kind: "range"; readonly text: string }

/** A token of the deny-glob grammar. */
export type GlobToken = LiteralToken | SepToken | StarToken | QmarkToken | ClassToken | BraceToken | RangeToken;

/** A pattern the grammar rejects (reversed class range, POSIX class). */
export class GlobSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GlobSyntaxError";
  }
}

/** Characters that make a filesystem key a glob (spec 4.5: `* ? [ ]` and `{a,b}`). */
const GLOB_CHARS = /[*?[\]{}]/;

/** True when `text` contains a glob character; such keys are parsed with the glob grammar. */
export function hasGlobChars(text: string): boolean {
  return GLOB_CHARS.test(text);
}

/** Parses a glob into tokens; throws GlobSyntaxError for constructs the grammar rejects. */
export function parseGlob(pattern: string): GlobToken[] {
  return new GlobParser(pattern).parseSequence(false);
}

class GlobParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  /** Parses until the end (or, inside braces, until a top-level `,` or `}`). */
  parseSequence(inBrace: boolean): GlobToken[] {
    const out: GlobToken[] = [];
    const literal = (ch: string): void => {
      const last = out[out.length - 1];
      if (last?.kind === "literal") out[out.length - 1] = { kind: "literal", text: last.text + ch };
      else out.push({ kind: "literal", text: ch });
    };
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos]!;
      if (inBrace && (ch === "," || ch === "}")) break;
      if (ch === "\\") {
        const next = this.src[this.pos + 1];
        this.pos += next === undefined ? 1 : 2;
        if (next === "/") out.push({ kind: "sep" });
        else literal(next ?? "\\");
      } else if (ch === "/") {
        this.pos++;
        out.push({ kind: "sep" });
      } else if (ch === "*") {
        let run = 0;
        while (this.src[this.pos] === "*") {
          run++;
          this.pos++;
        }
        out.push({ kind: "star", run });
      } else if (ch === "?") {
        this.pos++;
        out.push({ kind: "qmark" });
      } else if (ch === "[") {
        const cls = this.parseClass();
        if (cls) out.push(cls);
        else {
          this.pos++;
          literal("[");
        }
      } else if (ch === "{") {
        const brace = this.parseBrace();
        if (brace) out.push(brace);
        else {
          this.pos++;
          literal("{");
        }
      } else {
        this.pos++;
        literal(ch);
      }
    }
    return out;
  }

  /** At `[`: returns the class and advances past `]`, or null (literal `[`) when unclosed or spanning `/`. */
  private parseClass(): ClassToken | null {
    let i = this.pos + 1;
    let negated = false;
    if (this.src[i] === "!" || this.src[i] === "^") {
      negated = true;
      i++;
    }
    const chars: string[] = [];
    let first = true;
    for (;;) {
      const ch = this.src[i];
      if (ch === undefined || ch === "/") return null;
      if (ch === "]" && !first) break;
      if (ch === "[" && this.src[i + 1] === ":") {
        throw new GlobSyntaxError(`POSIX character classes such as \`[:alpha:]\` are not supported in glob \`${this.src}\``);
      }
      if (ch === "\\") {
        const next = this.src[i + 1];
        if (next === undefined || next === "/") return null;
        chars.push("\\" + next);
        i += 2;
      } else {
        chars.push(ch);
        i++;
      }
      first = false;
    }
    const unescape = (c: string): string => (c.length === 2 ? c[1]! : c);
    const items: { lo: string; hi: string }[] = [];
    for (let k = 0; k < chars.length; k++) {
      const lo = unescape(chars[k]!);
      if (chars[k + 1] === "-" && k + 2 < chars.length) {
        const hi = unescape(chars[k + 2]!);
        if (hi < lo) throw new GlobSyntaxError(`character range \`${lo}-${hi}\` is reversed in glob \`${this.src}\``);
        items.push({ lo, hi });
        k += 2;
      } else items.push({ lo, hi: lo });
    }
    this.pos = i + 1;
    return { kind: "class", negated, items };
  }

  /** At `{`: returns alternation/range and advances past `}`, or null (literal `{`). */
  private parseBrace(): BraceToken | RangeToken | null {
    const start = this.pos;
    this.pos++;
    const alternatives: GlobToken[][] = [];
    for (;;) {
      alternatives.push(this.parseSequence(true));
      const ch = this.src[this.pos];
      if (ch === ",") {
        this.pos++;
        continue;
      }
      if (ch === "}") {
        this.pos++;
        break;
      }
      this.pos = start; // unclosed
      return null;
    }
    if (alternatives.length > 1) return { kind: "brace", alternatives };
    const inner = this.src.slice(start + 1, this.pos - 1);
    if (/^(?:-?\d+\.\.-?\d+|[A-Za-z]\.\.[A-Za-z])$/.test(inner)) return { kind: "range", text: inner };
    this.pos = start; // `{a}` is literal (as in a shell)
    return null;
  }
}

/** Characters micromatch would treat specially; escaped in literal text. */
const MICROMATCH_SPECIAL = /[\\*?[\]{}()|+@!"',^$]/g;
/** Characters with a meaning inside a regex/micromatch class. */
const CLASS_SPECIAL = /[\\\]^[-]/g;

/** Escapes a literal path so that it can be used as a glob prefix (e.g. a workspace root `/a/[x]`). */
export function escapeGlobLiteral(text: string): string {
  return text.replace(MICROMATCH_SPECIAL, "\\$&");
}

/** Serializes tokens back to pattern text that micromatch reads exactly as this grammar means it. */
export function serializeGlob(tokens: readonly GlobToken[]): string {
  let out = "";
  for (const t of tokens) {
    switch (t.kind) {
      case "literal":
        out += escapeGlobLiteral(t.text);
        break;
      case "sep":
        out += "/";
        break;
      case "star":
        out += t.run >= 2 ? "**" : "*";
        break;
      case "qmark":
        out += "?";
        break;
      case "class": {
        const esc = (c: string): string => c.replace(CLASS_SPECIAL, "\\$&");
        out += "[" + (t.negated ? "^" : "") + t.items.map((i) => (i.lo === i.hi ? esc(i.lo) : `${esc(i.lo)}-${esc(i.hi)}`)).join("") + "]";
        break;
      }
      case "brace":
        out += "{" + t.alternatives.map(serializeGlob).join(",") + "}";
        break;
      case "range":
        out += `{${t.text}}`;
        break;
    }
  }
  return out;
}

/** Splits top-level tokens into components at separators (brace groups stay inside one component). */
export function splitComponents(tokens: readonly GlobToken[]): GlobToken[][] {
  const comps: GlobToken[][] = [[]];
  for (const t of tokens) {
    if (t.kind === "sep") comps.push([]);
    else comps[comps.length - 1]!.push(t);
  }
  return comps;
}

/** The literal text of a component made only of literal tokens, else null. */
export function literalComponent(comp: readonly GlobToken[]): string | null {
  if (comp.length === 0) return "";
  if (comp.length === 1 && comp[0]!.kind === "literal") return comp[0]!.text;
  return null;
}

/** True when a component is exactly `**` (matches zero or more components). */
export function isGlobstarComponent(comp: readonly GlobToken[]): boolean {
  return comp.length === 1 && comp[0]!.kind === "star" && comp[0]!.run >= 2;
}

/** True when the tokens contain anything other than literal text and separators. */
export function hasWildcard(tokens: readonly GlobToken[]): boolean {
  return tokens.some((t) => t.kind !== "literal" && t.kind !== "sep");
}

/** Brace groups that span components are expanded before compiling, up to this many alternatives. */
const MAX_EXPANDED_ALTERNATIVES = 256;

/**
 * The token sequences compiled for one pattern. micromatch gets two shapes wrong, so they are
 * rewritten first: a trailing `/**` after a wildcard component does not match zero components
 * (`/r/*\/**` misses `/r/a`, while `/r/a/**` matches `/r/a`), so `X/**` also compiles `X`; and
 * brace groups spanning `/` or `**` are expanded so that rule sees every alternative.
 */
function matchAlternatives(tokens: GlobToken[]): GlobToken[][] {
  const expanded = tokens.some(spansComponents) ? (expandBraces(tokens, MAX_EXPANDED_ALTERNATIVES) ?? [tokens]) : [tokens];
  const out: GlobToken[][] = [];
  for (const alt of expanded) {
    out.push(alt);
    // Also compile it without its trailing run of `**` components: `X/**` matches `X` itself.
    const comps = splitComponents(alt);
    let keep = comps.length;
    while (keep > 0 && isGlobstarComponent(comps[keep - 1]!)) keep--;
    const prefix = comps.slice(0, keep);
    if (keep < comps.length && prefix.some((c) => c.length > 0)) out.push(joinComponents(prefix));
  }
  return out;
}

function joinComponents(comps: readonly GlobToken[][]): GlobToken[] {
  return comps.flatMap((c, k) => (k === 0 ? c : [{ kind: "sep" } as const, ...c]));
}

function spansComponents(t: GlobToken): boolean {
  return t.kind === "brace" && t.alternatives.some((alt) => alt.some((x) => x.kind === "sep" || (x.kind === "star" && x.run >= 2) || spansComponents(x)));
}

/** Cartesian expansion of brace groups; null when there would be more than `cap` alternatives. */
function expandBraces(tokens: readonly GlobToken[], cap: number): GlobToken[][] | null {
  let acc: GlobToken[][] = [[]];
  for (const t of tokens) {
    if (t.kind !== "brace") {
      for (const a of acc) a.push(t);
      continue;
    }
    const options: GlobToken[][] = [];
    for (const alt of t.alternatives) {
      const inner = expandBraces(alt, cap);
      if (inner === null) return null;
      options.push(...inner);
    }
    if (acc.length * options.length > cap) return null;
    acc = acc.flatMap((a) => options.map((o) => [...a, ...o]));
  }
  return acc.map(mergeLiterals);
}

/** Re-joins adjacent literal tokens (and star runs) so components split the same way after expansion. */
function mergeLiterals(tokens: GlobToken[]): GlobToken[] {
  const out: GlobToken[] = [];
  for (const t of tokens) {
    const last = out[out.length - 1];
    if (t.kind === "literal" && last?.kind === "literal") out[out.length - 1] = { kind: "literal", text: last.text + t.text };
    else if (t.kind === "star" && last?.kind === "star") out[out.length - 1] = { kind: "star", run: last.run + t.run };
    else out.push(t);
  }
  return out;
}

const MAX_CACHED = 2048;
const regexCache = new Map<string, RegExp | null>();

/**
 * Compiles a pattern to a RegExp matching whole normalized paths; null when the pattern is invalid.
 * Cached (the same few patterns are matched against many paths).
 */
export function compileGlob(pattern: string, caseSensitive: boolean): RegExp | null {
  const key = (caseSensitive ? "s:" : "i:") + pattern;
  const cached = regexCache.get(key);
  if (cached !== undefined) return cached;
  let re: RegExp | null;
  try {
    const options = micromatchOptions(caseSensitive);
    const sources = matchAlternatives(parseGlob(pattern)).map((alt) => micromatch.makeRe(serializeGlob(alt), options).source);
    re = new RegExp(sources.length === 1 ? sources[0]! : sources.map((s) => `(?:${s})`).join("|"), regexFlags(caseSensitive));
  } catch {
    re = null;
  }
  if (regexCache.size >= MAX_CACHED) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

/**
 * A cheap necessary condition for a match, tested on the last path component alone: whenever the
 * whole pattern matches a path, this returns true for that path's last name. Null when there is no
 * such filter (the pattern ends in `**`, spans components inside braces, or is invalid). Used by
 * the expander to skip building and matching full paths for the vast majority of entries.
 */
export function compileNameFilter(pattern: string, caseSensitive: boolean): ((name: string) => boolean) | null {
  let tokens: GlobToken[];
  try {
    tokens = parseGlob(pattern);
  } catch {
    return null;
  }
  if (tokens.some(spansComponents)) return null;
  const comps = splitComponents(tokens);
  const last = comps[comps.length - 1];
  if (last === undefined || last.length === 0 || comps.length < 2 || isGlobstarComponent(last)) return null;
  if (caseSensitive) {
    // Fast paths for the shapes deny globs almost always end in: `name`, `*.ext`, `prefix*`.
    // (Readdir never yields `.` or `..`, the only names `*` refuses.)
    const [a, b] = last;
    if (last.length === 1 && a?.kind === "literal") return (name) => name === a.text;
    if (last.length === 1 && a?.kind === "star") return () => true;
    if (last.length === 2 && a?.kind === "star" && b?.kind === "literal") return (name) => name.endsWith(b.text);
    if (last.length === 2 && a?.kind === "literal" && b?.kind === "star") return (name) => name.startsWith(a.text);
  }
  try {
    const re = micromatch.makeRe(serializeGlob(last), micromatchOptions(caseSensitive));
    const anchored = new RegExp(re.source, regexFlags(caseSensitive));
    return (name) => anchored.test(name);
  } catch {
    return null;
  }
}

/** The micromatch options that implement this grammar (see the file comment). */
function micromatchOptions(caseSensitive: boolean): micromatch.Options {
  // literalBrackets:false — by default a class `[ab]` would also match a file literally named `[ab]`.
  return { dot: true, nocase: !caseSensitive, noextglob: true, nonegate: true, literalBrackets: false, windows: false } as micromatch.Options;
}

/** dotAll: a file name may contain a newline, and `*` must still match it. */
function regexFlags(caseSensitive: boolean): string {
  return caseSensitive ? "s" : "is";
}

/**
 * True when the normalized absolute `path` matches `pattern`: `*` and `?` never cross `/`, a `**`
 * component crosses directories, dotfiles match; case-insensitive when `caseSensitive` is false.
 * An invalid pattern matches everything (fail closed: a deny that cannot be evaluated denies).
 */
export function globMatches(pattern: string, path: string, caseSensitive: boolean): boolean {
  const re = compileGlob(pattern, caseSensitive);
  return re === null ? true : re.test(path);
}
