// Maps every key path of a TOML document to the line and column where it is written (smol-toml gives no key positions).
// Runs only on text that smol-toml has already accepted, so it can assume valid syntax; on anything
// unexpected it stops early rather than throwing (missing positions fall back to the enclosing table's).

/** One step of a key path: a table key, or an index into an array (arrays of tables, array elements). */
export type KeySegment = string | number;
export type KeyPath = readonly KeySegment[];

/** 1-based line and column (UTF-16 code units, as smol-toml counts them). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Paths deeper than this are not recorded (cordon's schema is at most 6 levels deep; the loader refuses
 * documents nested deeper than MAX_KEY_DEPTH, and this keeps the locator linear on hostile input).
 */
export const MAX_KEY_DEPTH = 32;

/** Stable map key for a key path (indices stay numbers, so `0` and `"0"` differ). */
export function pathKey(path: KeyPath): string {
  return JSON.stringify(path);
}

/**
 * Returns the position of every key path in `source`: tables (at their first header or the first key
 * that creates them), keys (at the key segment itself), and array elements (at the value).
 * The first mention wins, so a table's position is where it is introduced.
 */
export function locateKeys(source: string): Map<string, SourcePosition> {
  const locator = new Locator(source);
  try {
    locator.document();
  } catch (error) {
    // Defensive: the text already parsed, so this means a locator bug; keep what was found.
    if (!(error instanceof LocatorStop)) throw error;
  }
  return locator.positions;
}

class LocatorStop extends Error {}

const ESCAPES: Readonly<Record<string, string>> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", e: "\x1b", '"': '"', "\\": "\\" };
const BARE_KEY_STOP = new Set([" ", "\t", "=", ".", "[", "]", '"', "'", "#", "\r", "\n", ",", "{", "}"]);
const SCALAR_STOP = new Set([",", "]", "}", "\n", "\r", "#"]);

class Locator {
  readonly positions = new Map<string, SourcePosition>();
  private pos = 0;
  private readonly lineStarts: number[] = [0];
  /** Current element count of each array of tables, by resolved path. */
  private readonly tableArrays = new Map<string, number>();

  constructor(private readonly src: string) {
    for (let i = 0; i < src.length; i++) if (src[i] === "\n") this.lineStarts.push(i + 1);
  }

  document(): void {
    let current: KeySegment[] = [];
    while (true) {
      this.skipBlank();
      if (this.pos >= this.src.length) return;
      if (this.src[this.pos] === "[") {
        current = this.src[this.pos + 1] === "[" ? this.arrayTableHeader() : this.tableHeader();
      } else {
        this.keyValue(current);
      }
    }
  }

  private tableHeader(): KeySegment[] {
    this.pos += 1;
    const segments = this.key();
    this.skipSpaces();
    this.expect("]");
    const resolved: KeySegment[] = [];
    for (const segment of segments) {
      if (resolved.length > MAX_KEY_DEPTH) break; // deeper paths are never recorded; stay linear
      resolved.push(segment.name);
      this.record(resolved, segment.offset);
      const count = this.tableArrays.get(pathKey(resolved));
      // A header below an array of tables addresses its last element.
      if (count !== undefined) resolved.push(count - 1);
    }
    return resolved;
  }

  private arrayTableHeader(): KeySegment[] {
    this.pos += 2;
    const segments = this.key();
    this.skipSpaces();
    this.expect("]");
    this.expect("]");
    const resolved: KeySegment[] = [];
    segments.forEach((segment, index) => {
      if (resolved.length > MAX_KEY_DEPTH) return; // deeper paths are never recorded; stay linear
      resolved.push(segment.name);
      this.record(resolved, segment.offset);
      const key = pathKey(resolved);
      const count = this.tableArrays.get(key);
      if (index === segments.length - 1) {
        const next = (count ?? 0) + 1;
        this.tableArrays.set(key, next);
        resolved.push(next - 1);
        this.record(resolved, segment.offset);
      } else if (count !== undefined) {
        resolved.push(count - 1);
      }
    });
    return resolved;
  }

  private keyValue(base: readonly KeySegment[]): void {
    const path = this.keyPathFrom(base);
    this.skipSpaces();
    this.expect("=");
    this.skipSpaces();
    this.value(path);
  }

  /** Reads a dotted key, records each prefix below `base`, and returns the full path. */
  private keyPathFrom(base: readonly KeySegment[]): KeySegment[] {
    const path = [...base];
    for (const segment of this.key()) {
      if (path.length > MAX_KEY_DEPTH) break; // deeper paths are never recorded; stay linear
      path.push(segment.name);
      this.record(path, segment.offset);
    }
    return path;
  }

  private value(path: readonly KeySegment[]): void {
    const c = this.src[this.pos];
    if (c === '"') {
      if (this.src.startsWith('"""', this.pos)) this.multiLineString('"');
      else this.basicString();
    } else if (c === "'") {
      if (this.src.startsWith("'''", this.pos)) this.multiLineString("'");
      else this.literalString();
    } else if (c === "{") {
      this.inlineTable(path);
    } else if (c === "[") {
      this.array(path);
    } else {
      const start = this.pos;
      while (this.pos < this.src.length && !SCALAR_STOP.has(this.src[this.pos] as string)) this.pos++;
      if (this.pos === start) throw new LocatorStop();
    }
  }

  private inlineTable(path: readonly KeySegment[]): void {
    this.pos += 1;
    while (true) {
      this.skipBlank();
      if (this.src[this.pos] === "}") {
        this.pos += 1;
        return;
      }
      const keyPath = this.keyPathFrom(path);
      this.skipSpaces();
      this.expect("=");
      this.skipSpaces();
      this.value(keyPath);
      this.skipBlank();
      if (this.src[this.pos] === ",") this.pos += 1;
      else if (this.src[this.pos] !== "}") throw new LocatorStop();
    }
  }

  private array(path: readonly KeySegment[]): void {
    this.pos += 1;
    for (let index = 0; ; index++) {
      this.skipBlank();
      if (this.src[this.pos] === "]") {
        this.pos += 1;
        return;
      }
      const elementPath = [...path, index];
      this.record(elementPath, this.pos);
      this.value(elementPath);
      this.skipBlank();
      if (this.src[this.pos] === ",") this.pos += 1;
      else if (this.src[this.pos] !== "]") throw new LocatorStop();
    }
  }

  /** A possibly dotted key: bare, "basic" (with escapes) or 'literal' segments. */
  private key(): { name: string; offset: number }[] {
    const segments: { name: string; offset: number }[] = [];
    while (true) {
      this.skipSpaces();
      const offset = this.pos;
      const c = this.src[this.pos];
      let name: string;
      if (c === '"') name = this.basicString();
      else if (c === "'") name = this.literalString();
      else {
        while (this.pos < this.src.length && !BARE_KEY_STOP.has(this.src[this.pos] as string)) this.pos++;
        if (this.pos === offset) throw new LocatorStop();
        name = this.src.slice(offset, this.pos);
      }
      segments.push({ name, offset });
      this.skipSpaces();
      if (this.src[this.pos] !== ".") return segments;
      this.pos += 1;
    }
  }

  /** Single-line basic string at `pos`; returns its decoded content. */
  private basicString(): string {
    this.pos += 1;
    let out = "";
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] as string;
      if (c === '"') {
        this.pos += 1;
        return out;
      }
      if (c === "\\") {
        out += this.escape();
        continue;
      }
      out += c;
      this.pos += 1;
    }
    throw new LocatorStop();
  }

  private escape(): string {
    const kind = this.src[this.pos + 1] as string;
    const simple = ESCAPES[kind];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    const width = kind === "x" ? 2 : kind === "u" ? 4 : kind === "U" ? 8 : 0;
    if (width === 0) throw new LocatorStop();
    const code = Number.parseInt(this.src.slice(this.pos + 2, this.pos + 2 + width), 16);
    this.pos += 2 + width;
    return String.fromCodePoint(code);
  }

  private literalString(): string {
    const end = this.src.indexOf("'", this.pos + 1);
    if (end < 0) throw new LocatorStop();
    const name = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return name;
  }

  /** Skips `"""…"""` or `'''…'''`, including up to two quotes that belong to the content before the closing three. */
  private multiLineString(quote: '"' | "'"): void {
    const fence = quote.repeat(3);
    this.pos += 3;
    while (this.pos < this.src.length) {
      if (quote === '"' && this.src[this.pos] === "\\") {
        this.pos += 2;
        continue;
      }
      if (this.src.startsWith(fence, this.pos)) {
        this.pos += 3;
        for (let extra = 0; extra < 2 && this.src[this.pos] === quote; extra++) this.pos += 1;
        return;
      }
      this.pos += 1;
    }
    throw new LocatorStop();
  }

  private skipSpaces(): void {
    while (this.src[this.pos] === " " || this.src[this.pos] === "\t") this.pos++;
  }

  /** Skips spaces, newlines and comments. */
  private skipBlank(): void {
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === " " || c === "\t" || c === "\r" || c === "\n") this.pos++;
      else if (c === "#") {
        const end = this.src.indexOf("\n", this.pos);
        this.pos = end < 0 ? this.src.length : end;
      } else return;
    }
  }

  private expect(char: string): void {
    if (this.src[this.pos] !== char) throw new LocatorStop();
    this.pos += 1;
  }

  private record(path: KeyPath, offset: number): void {
    if (path.length > MAX_KEY_DEPTH + 1) return;
    const key = pathKey(path);
    if (!this.positions.has(key)) this.positions.set(key, this.positionOf(offset));
  }

  private positionOf(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.lineStarts[lo] as number) + 1 };
  }
}
