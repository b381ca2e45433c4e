// Compiles a profile's `filesystem` table into concrete PathRules and DenyGlobs (spec 4.1, 4.2, 4.5).
import { existsSync } from "node:fs";
import { CordonError, type Diagnostic } from "../errors.js";
import type { Origin } from "../origin.js";
import type { Access, DenyGlob, PathRule, Platform, SymbolicRoot } from "../resolved-policy.js";
import type { FilesystemTable } from "../schema.js";
import {
  GlobSyntaxError,
  escapeGlobLiteral,
  hasGlobChars,
  hasWildcard,
  isGlobstarComponent,
  literalComponent,
  parseGlob,
  serializeGlob,
  splitComponents,
  type GlobToken,
} from "./glob.js";
import { expandHome, foldCase, isAbsolutePath, joinPath, normalizeAbsolute, rootPrefixOf } from "./paths.js";

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
  /**
   * Optional: prepended to key paths in errors and warnings, e.g. ["permissions", "dev", "filesystem"].
   * Default ["filesystem"].
   */
  readonly keyPrefix?: readonly string[];
}

/** The concrete form of one profile's filesystem table. */
export interface CompiledFilesystem {
  /** At most one rule per path (on macOS/Windows: per case-folded path); at one path deny > write > read. */
  rules: PathRule[];
  denyGlobs: DenyGlob[];
  globScanMaxDepth: number | null;
  /** `:minimal` was granted read (or write, which is treated as read). */
  minimal: boolean;
  warnings: Diagnostic[];
}

/**
 * `:minimal` platform runtime read roots. Linux (spec): the existing ones of these. macOS and
 * Windows: machine-wide system locations only (no user data); the backend adds what it needs to
 * start the command (`minimal: true`). Windows assumes the system drive is `C:`.
 */
export const MINIMAL_READ_ROOTS: Readonly<Record<Platform, readonly string[]>> = {
  linux: ["/bin", "/sbin", "/usr", "/etc", "/lib", "/lib64"],
  macos: ["/bin", "/sbin", "/usr", "/System", "/etc", "/private/etc"],
  windows: ["C:/Windows", "C:/Program Files", "C:/Program Files (x86)"],
};

/** Longest key or subpath accepted (PATH_MAX on Linux). */
const MAX_KEY_LENGTH = 4096;

const KNOWN_TOKENS = new Set([":root", ":workspace_roots", ":project_roots", ":tmpdir", ":slash_tmp", ":minimal"]);
const ACCESS_RANK: Readonly<Record<Access, number>> = { read: 0, write: 1, deny: 2 };

type AccessText = "read" | "write" | "deny" | "none";
type EntryValue = AccessText | Readonly<Record<string, AccessText>>;

/** A parsed relative subpath: exact components, or glob tokens (relative, no leading `/`). */
type SubIntent = { kind: "exact"; sub: string } | { kind: "glob"; tokens: GlobToken[] };

/**
 * Compiles a `filesystem` table (spec 4.1-4.5) for one host context. Throws CordonError:
 * E_PATH for bad keys, subpaths or nesting; E_GLOB for globs where they are not allowed, invalid
 * globs, or globs without a non-root literal prefix. Unknown `:tokens` with read/write become warnings.
 */
export function compileFilesystem(table: FilesystemTable | undefined, ctx: FilesystemContext): CompiledFilesystem {
  const compiler = new FilesystemCompiler(ctx);
  if (table !== undefined) {
    for (const [key, value] of Object.entries(table)) {
      if (key === "glob_scan_max_depth" || value === undefined) continue;
      compiler.compileEntry(key, value as EntryValue);
    }
  }
  const depth = table?.glob_scan_max_depth;
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 1)) {
    throw compiler.error("E_SCHEMA", ["glob_scan_max_depth"], "glob_scan_max_depth must be at least 1");
  }
  return {
    rules: compiler.finalRules(),
    denyGlobs: compiler.denyGlobs,
    globScanMaxDepth: depth ?? null,
    minimal: compiler.minimal,
    warnings: compiler.warnings,
  };
}

class FilesystemCompiler {
  readonly rules: PathRule[] = [];
  readonly denyGlobs: DenyGlob[] = [];
  readonly warnings: Diagnostic[] = [];
  minimal = false;
  private readonly keyPrefix: readonly string[];

  constructor(private readonly ctx: FilesystemContext) {
    this.keyPrefix = ctx.keyPrefix ?? ["filesystem"];
  }

  error(code: "E_PATH" | "E_GLOB" | "E_SCHEMA", keyPath: readonly string[], detail: string): CordonError {
    return new CordonError(code, detail, { origin: this.ctx.originOf(keyPath), keyPath: [...this.keyPrefix, ...keyPath] });
  }

  private warn(keyPath: readonly string[], message: string): void {
    this.warnings.push({ message, origin: this.ctx.originOf(keyPath), keyPath: [...this.keyPrefix, ...keyPath] });
  }

  compileEntry(key: string, value: EntryValue): void {
    this.checkText(key, [key], "path");
    if (key.startsWith(":")) this.compileToken(key, value);
    else if (typeof value === "string") this.compilePathKey(key, toAccess(value));
    else {
      const base = this.exactBase(key);
      for (const [sub, access] of Object.entries(value)) {
        const intent = this.parseSub(key, sub, toAccess(access));
        this.materialize(base, intent, toAccess(access), [key, sub], `${key} ${sub}`);
      }
    }
  }

  /** Rejects NUL bytes, empty and over-long keys before anything else looks at them. */
  private checkText(text: string, keyPath: readonly string[], what: "path" | "subpath"): void {
    if (text.includes("\0")) throw this.error("E_PATH", keyPath, `filesystem ${what} ${JSON.stringify(text)} contains a NUL byte`);
    if (text.length > MAX_KEY_LENGTH) throw this.error("E_PATH", keyPath, `filesystem ${what} is longer than ${MAX_KEY_LENGTH} characters`);
    if (text === "") throw this.error("E_PATH", keyPath, `filesystem ${what} must not be empty`);
  }

  private compileToken(token: string, value: EntryValue): void {
    const keyPath = [token];
    if (!KNOWN_TOKENS.has(token)) {
      const accesses = typeof value === "string" ? [toAccess(value)] : Object.values(value).map(toAccess);
      if (accesses.includes("deny")) {
        throw this.error("E_PATH", keyPath, `unknown filesystem token \`${token}\` with \`deny\` access; ignoring it would widen access (known tokens: ${[...KNOWN_TOKENS].join(", ")})`);
      }
      this.warn(keyPath, `unknown filesystem token \`${token}\` ignored (known tokens: ${[...KNOWN_TOKENS].join(", ")})`);
      return;
    }
    if (token === ":workspace_roots" || token === ":project_roots") {
      const symbolic: SymbolicRoot = ":workspace_roots";
      if (typeof value === "string") {
        for (const root of this.ctx.workspaceRoots) this.addRule(normalizeAbsolute(root), toAccess(value), keyPath, token, symbolic);
        return;
      }
      for (const [sub, accessText] of Object.entries(value)) {
        const access = toAccess(accessText);
        const intent = this.parseSub(token, sub, access);
        for (const root of this.ctx.workspaceRoots) this.materialize(normalizeAbsolute(root), intent, access, [token, sub], `${token} ${sub}`, symbolic);
      }
      return;
    }
    if (typeof value !== "string") throw this.error("E_PATH", keyPath, `filesystem path \`${token}\` does not support nested entries`);
    const access = toAccess(value);
    switch (token) {
      case ":root":
        this.addRule(rootPrefixOf(normalizeAbsolute(this.ctx.cwd)), access, keyPath, token, ":root");
        return;
      case ":tmpdir": {
        const tmp = this.ctx.tmpdir;
        if (tmp !== undefined && isAbsolutePath(tmp, this.ctx.platform)) this.addRule(normalizeAbsolute(tmp), access, keyPath, token, ":tmpdir");
        return;
      }
      case ":slash_tmp":
        // /tmp is a POSIX location; Windows has no such directory, so the token grants nothing there.
        if (this.ctx.platform !== "windows") this.addRule("/tmp", access, keyPath, token, ":slash_tmp");
        return;
      case ":minimal":
        this.compileMinimal(access, keyPath);
        return;
    }
  }

  /** `:minimal`: read roots for the platform. `write` is narrowed to read (runtime roots are never
   * writable through this token); `deny` denies the same roots, like any other key. */
  private compileMinimal(access: Access, keyPath: readonly string[]): void {
    let effective = access;
    if (access === "write") {
      this.warn(keyPath, "`:minimal` only grants read access; treating \"write\" as \"read\"");
      effective = "read";
    }
    this.minimal = effective === "read";
    const roots = MINIMAL_READ_ROOTS[this.ctx.platform];
    for (const root of roots) {
      if (this.ctx.platform === "linux" && !existsSync(root)) continue;
      this.addRule(root, effective, keyPath, ":minimal", ":minimal");
    }
  }

  /** A top-level absolute or `~` key with a string access. */
  private compilePathKey(key: string, access: Access): void {
    const keyPath = [key];
    const { base: keyBase, rest: restText } = this.splitKey(key);
    if (!hasGlobChars(restText)) {
      this.addRule(normalizeAbsolute(joinPath(keyBase, restText)), access, keyPath, key);
      return;
    }
    const comps = splitComponents(this.parseGlobText(restText, keyPath, key)).filter((c) => c.length > 0); // collapse `//`
    const literalPrefix: string[] = [];
    let i = 0;
    for (; i < comps.length; i++) {
      const lit = literalComponent(comps[i]!);
      if (lit === null) break;
      literalPrefix.push(lit);
    }
    const base = normalizeAbsolute(joinPath(keyBase, literalPrefix.join("/")));
    if (i === comps.length) {
      // Glob characters, but all escaped or literal (e.g. an unclosed `[`): an exact path.
      this.addRule(base, access, keyPath, key);
      return;
    }
    this.addGlobOrSubtree(base, comps.slice(i), access, keyPath, key, key);
  }

  /**
   * Splits an absolute or `~` key into its literal base (the root, or the home directory, which
   * may itself contain glob characters) and the relative rest as written. Windows separators
   * become `/`. Anything else is the spec's "must be absolute" error.
   */
  private splitKey(key: string): { base: string; rest: string } {
    const { platform, home } = this.ctx;
    const slashes = (t: string): string => (platform === "windows" ? t.replaceAll("\\", "/") : t);
    if (expandHome(key, home, platform) !== null) {
      return { base: normalizeAbsolute(home), rest: slashes(key.slice(2)) };
    }
    const text = slashes(key);
    if (!isAbsolutePath(text, platform)) {
      throw this.error("E_PATH", [key], `filesystem path \`${key}\` must be absolute, use \`~/...\`, or start with \`:\``);
    }
    const root = rootPrefixOf(text);
    return { base: root, rest: text.slice(root.length) };
  }

  /** The base of a nested table: an exact absolute or `~` path (no glob characters). */
  private exactBase(key: string): string {
    const { base, rest } = this.splitKey(key);
    if (hasGlobChars(rest)) {
      throw this.error("E_GLOB", [key], `filesystem path \`${key}\` has nested entries, so it must be an exact path without glob characters`);
    }
    return normalizeAbsolute(joinPath(base, rest));
  }

  /** Validates a nested subpath once (before it is applied to each base). */
  private parseSub(key: string, sub: string, access: Access): SubIntent {
    const keyPath = [key, sub];
    this.checkText(sub, keyPath, "subpath");
    const text = this.ctx.platform === "windows" ? sub.replaceAll("\\", "/") : sub;
    if (text === ".") return { kind: "exact", sub: "" };
    const badSub = (): CordonError =>
      this.error("E_PATH", keyPath, `filesystem subpath \`${sub}\` must be a descendant path without \`.\` or \`..\` components`);
    if (!hasGlobChars(text)) {
      for (const comp of text.split("/")) if (!isNormalComponent(comp, this.ctx.platform)) throw badSub();
      return { kind: "exact", sub: text };
    }
    const tokens = this.parseGlobText(text, keyPath, sub);
    for (const comp of splitComponents(tokens)) {
      const lit = literalComponent(comp);
      if (lit !== null && !isNormalComponent(lit, this.ctx.platform)) throw badSub();
    }
    if (!hasWildcard(tokens)) return { kind: "exact", sub: tokens.map((t) => (t.kind === "sep" ? "/" : t.kind === "literal" ? t.text : "")).join("") };
    if (access !== "deny") {
      const comps = splitComponents(tokens);
      const last = comps[comps.length - 1]!;
      const head = comps.slice(0, -1);
      if (!isGlobstarComponent(last) || head.some((c) => literalComponent(c) === null)) {
        throw this.error("E_GLOB", keyPath, nonDenyGlobMessage(sub, access));
      }
    }
    return { kind: "glob", tokens };
  }

  /** Applies a parsed subpath to one base. */
  private materialize(base: string, intent: SubIntent, access: Access, keyPath: readonly string[], entry: string, symbolic?: SymbolicRoot): void {
    if (intent.kind === "exact") {
      this.addRule(normalizeAbsolute(joinPath(base, intent.sub)), access, keyPath, entry, symbolic);
      return;
    }
    const comps = splitComponents(intent.tokens);
    const literalPrefix: string[] = [];
    let i = 0;
    for (; i < comps.length; i++) {
      const lit = literalComponent(comps[i]!);
      if (lit === null) break;
      literalPrefix.push(lit);
    }
    const globBase = normalizeAbsolute(joinPath(base, literalPrefix.join("/")));
    this.addGlobOrSubtree(globBase, comps.slice(i), access, keyPath, entry, keyPath[keyPath.length - 1]!, symbolic);
  }

  /**
   * `rest` starts with a non-literal component. A lone trailing `**` on read/write means the subtree
   * at `base`; any other glob must be `deny` and have a non-root base.
   */
  private addGlobOrSubtree(base: string, rest: GlobToken[][], access: Access, keyPath: readonly string[], entry: string, shown: string, symbolic?: SymbolicRoot): void {
    if (access !== "deny") {
      if (rest.length === 1 && isGlobstarComponent(rest[0]!)) {
        this.addRule(base, access, keyPath, entry, symbolic);
        return;
      }
      throw this.error("E_GLOB", keyPath, nonDenyGlobMessage(shown, access));
    }
    if (rest.some((c) => literalComponent(c) === "." || literalComponent(c) === "..")) {
      throw this.error("E_GLOB", keyPath, `filesystem glob path \`${shown}\` must not contain \`.\` or \`..\` components after its first glob character`);
    }
    if (rootPrefixOf(base) === base) {
      throw this.error(
        "E_GLOB",
        keyPath,
        `filesystem glob path \`${shown}\` has no literal directory prefix below \`${base}\`; a deny glob must start with a non-root directory (e.g. \`/repo/**/*.env\`, \`~/…\`, or under \`:workspace_roots\`)`,
      );
    }
    const restText = serializeGlob(rest.flatMap((c, k) => (k === 0 ? c : [{ kind: "sep" } as const, ...c])));
    const pattern = `${escapeGlobLiteral(base)}/${restText}`;
    const glob: DenyGlob = { pattern, base, origin: this.ctx.originOf(keyPath), entry };
    if (!this.denyGlobs.some((g) => g.pattern === glob.pattern)) this.denyGlobs.push(glob);
  }

  private parseGlobText(text: string, keyPath: readonly string[], shown: string): GlobToken[] {
    try {
      return parseGlob(text);
    } catch (e) {
      if (e instanceof GlobSyntaxError) throw this.error("E_GLOB", keyPath, `invalid filesystem glob \`${shown}\`: ${e.message}`);
      throw e;
    }
  }

  private addRule(path: string, access: Access, keyPath: readonly string[], entry: string, symbolic?: SymbolicRoot): void {
    const rule: PathRule = symbolic === undefined
      ? { path, access, origin: this.ctx.originOf(keyPath), entry }
      : { path, access, origin: this.ctx.originOf(keyPath), entry, symbolic };
    this.rules.push(rule);
  }

  /** One rule per path: at the same path deny > write > read (spec 4.3 step 4); first wins a tie. */
  finalRules(): PathRule[] {
    const caseSensitive = this.ctx.platform === "linux";
    const byPath = new Map<string, number>();
    const out: PathRule[] = [];
    for (const rule of this.rules) {
      const key = caseSensitive ? rule.path : foldCase(rule.path);
      const at = byPath.get(key);
      if (at === undefined) {
        byPath.set(key, out.length);
        out.push(rule);
      } else if (ACCESS_RANK[rule.access] > ACCESS_RANK[out[at]!.access]) out[at] = rule;
    }
    return out;
  }
}

function toAccess(value: AccessText): Access {
  return value === "none" ? "deny" : value;
}

function isNormalComponent(comp: string, platform: Platform): boolean {
  if (comp === "" || comp === "." || comp === "..") return false;
  return !(platform === "windows" && comp.includes(":")); // drive letters and alternate data streams
}

function nonDenyGlobMessage(shown: string, access: Access): string {
  return `filesystem glob path \`${shown}\` only supports \`deny\` access; use an exact path or trailing \`/**\` for \`${access}\` subtree access`;
}
