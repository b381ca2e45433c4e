// Tokenizer for deny globs (spec 4.5), with brace groups expanded into flat alternatives.
// It follows the same grammar as policy-model's matcher: `\` escapes; `*`/`?` stay in one component;
// a component that is exactly `**` spans components; `[...]` classes (`!`/`^` negate, a leading `]` is
// a member, unclosed or `/`-spanning `[` is literal); `{a,b}` nests and may span `/`; `{1..3}`/`{a..c}`
// ranges; `{a}` is literal. Agreement with policy-model's globMatches is checked by the tests.

/** A flat token (no braces: alternatives are expanded). */
export type FlatToken =
  | { readonly kind: "literal"; readonly char: string }
  | { readonly kind: "sep" }
  | { readonly kind: "star"; readonly run: number }
  | { readonly kind: "qmark" }
  | { readonly kind: "class"; readonly negated: boolean; readonly items: readonly ClassItem[] };

export interface ClassItem {
  readonly lo: string;
  readonly hi: string;
}

/** A glob that cannot be expanded or expressed; `reason` is shown to the user. */
export class GlobCompileError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "GlobCompileError";
  }
}

/** Brace expansion beyond this many alternatives is refused rather than producing a huge profile. */
export const MAX_ALTERNATIVES = 256;

type Node = FlatToken | { readonly kind: "alt"; readonly options: readonly Node[][] };

/** Parses `pattern` and expands its brace groups; every returned sequence is one alternative. */
export function expandGlob(pattern: string): FlatToken[][] {
  const nodes = new Parser(pattern).sequence(false);
  return expand(nodes, pattern);
}

function expand(nodes: readonly Node[], pattern: string): FlatToken[][] {
  let acc: FlatToken[][] = [[]];
  for (const node of nodes) {
    if (node.kind !== "alt") {
      for (const seq of acc) seq.push(node);
      continue;
    }
    const optionSeqs = node.options.flatMap((option) => expand(option, pattern));
    const next: FlatToken[][] = [];
    for (const seq of acc) for (const tail of optionSeqs) next.push([...seq, ...tail]);
    if (next.length > MAX_ALTERNATIVES) {
      throw new GlobCompileError(`brace expansion of \`${pattern}\` yields more than ${MAX_ALTERNATIVES} alternatives`);
    }
    acc = next;
  }
  return acc;
}

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  sequence(inBrace: boolean): Node[] {
    const out: Node[] = [];
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos]!;
      if (inBrace && (ch === "," || ch === "}")) break;
      if (ch === "\\") {
        const next = this.src[this.pos + 1];
        this.pos += next === undefined ? 1 : 2;
        out.push(next === "/" ? { kind: "sep" } : { kind: "literal", char: next ?? "\\" });
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
        const cls = this.charClass();
        if (cls) out.push(cls);
        else {
          this.pos++;
          out.push({ kind: "literal", char: "[" });
        }
      } else if (ch === "{") {
        const group = this.brace();
        if (group) out.push(...group);
        else {
          this.pos++;
          out.push({ kind: "literal", char: "{" });
        }
      } else {
        const cp = this.src.codePointAt(this.pos)!;
        const char = String.fromCodePoint(cp);
        this.pos += char.length;
        out.push({ kind: "literal", char });
      }
    }
    return out;
  }

  /** At `[`: the class (advancing past `]`), or null when it is a literal `[`. */
  private charClass(): FlatToken | null {
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
        throw new GlobCompileError(`POSIX character classes such as \`[:alpha:]\` are not supported in \`${this.src}\``);
      }
      if (ch === "\\") {
        const next = this.src[i + 1];
        if (next === undefined || next === "/") return null;
        chars.push(next);
        i += 2;
      } else {
        chars.push(ch);
        i++;
      }
      first = false;
    }
    const items: ClassItem[] = [];
    for (let k = 0; k < chars.length; k++) {
      const lo = chars[k]!;
      if (chars[k + 1] === "-" && k + 2 < chars.length) {
        const hi = chars[k + 2]!;
        if (hi < lo) throw new GlobCompileError(`character range \`${lo}-${hi}\` is reversed in \`${this.src}\``);
        items.push({ lo, hi });
        k += 2;
      } else items.push({ lo, hi: lo });
    }
    this.pos = i + 1;
    return { kind: "class", negated, items };
  }

  /** At `{`: an alternation or range (as one alt node), or null when the brace is literal. */
  private brace(): Node[] | null {
    const start = this.pos;
    this.pos++;
    const options: Node[][] = [];
    for (;;) {
      options.push(this.sequence(true));
      const ch = this.src[this.pos];
      if (ch === ",") {
        this.pos++;
        continue;
      }
      if (ch === "}") {
        this.pos++;
        break;
      }
      this.pos = start; // unclosed: literal `{`
      return null;
    }
    if (options.length > 1) return [{ kind: "alt", options }];
    const inner = this.src.slice(start + 1, this.pos - 1);
    const range = expandRange(inner);
    if (range) {
      if (range.length > MAX_ALTERNATIVES) {
        throw new GlobCompileError(`range \`{${inner}}\` in \`${this.src}\` has more than ${MAX_ALTERNATIVES} values`);
      }
      return [{ kind: "alt", options: range.map((text) => [...text].map((char): Node => ({ kind: "literal", char }))) }];
    }
    this.pos = start; // `{a}` is literal, as in a shell
    return null;
  }
}

/** `1..3` → ["1","2","3"], `a..c` → ["a","b","c"] (either direction); null when not a range. */
function expandRange(inner: string): string[] | null {
  const numeric = /^(-?\d+)\.\.(-?\d+)$/.exec(inner);
  if (numeric) {
    const a = Number(numeric[1]);
    const b = Number(numeric[2]);
    if (Math.abs(a - b) >= MAX_ALTERNATIVES) return Array.from({ length: MAX_ALTERNATIVES + 1 }, () => "");
    const step = a <= b ? 1 : -1;
    // Zero-padded bounds (`{01..10}`) pad every value to the wider bound, as brace expansion does.
    const padded = /^-?0\d/.test(numeric[1]!) || /^-?0\d/.test(numeric[2]!);
    const width = padded ? Math.max(numeric[1]!.replace("-", "").length, numeric[2]!.replace("-", "").length) : 0;
    const out: string[] = [];
    for (let v = a; step > 0 ? v <= b : v >= b; v += step) {
      const digits = String(Math.abs(v)).padStart(width, "0");
      out.push(v < 0 ? `-${digits}` : digits);
    }
    return out;
  }
  const alpha = /^([A-Za-z])\.\.([A-Za-z])$/.exec(inner);
  if (alpha) {
    const a = alpha[1]!.charCodeAt(0);
    const b = alpha[2]!.charCodeAt(0);
    const step = a <= b ? 1 : -1;
    const out: string[] = [];
    for (let v = a; step > 0 ? v <= b : v >= b; v += step) out.push(String.fromCharCode(v));
    return out;
  }
  return null;
}
