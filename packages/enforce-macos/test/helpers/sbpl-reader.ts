// A small SBPL reader for tests: parses a profile into forms, checks it against the subset cordon is
// allowed to emit (known operations and filters, balanced forms, well-formed strings, portable regexes),
// and evaluates it for (operation, path) the way Seatbelt decides: deny default, the last matching rule
// wins, and a rule naming the exact operation beats a wildcard one (MAC-01).

export type Form = string | { str: string } | Form[];

export class SbplSyntaxError extends Error {}

/** Tokenizes and parses; throws SbplSyntaxError on unbalanced forms or bad strings. */
export function parseSbpl(text: string): Form[] {
  const forms: Form[] = [];
  const stack: Form[][] = [forms];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ";") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (/\s/.test(ch)) i++;
    else if (ch === "(") {
      const list: Form[] = [];
      stack[stack.length - 1]!.push(list);
      stack.push(list);
      i++;
    } else if (ch === ")") {
      if (stack.length === 1) throw new SbplSyntaxError(`unbalanced ')' at ${i}`);
      stack.pop();
      i++;
    } else if (ch === '"') {
      let value = "";
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new SbplSyntaxError("unterminated string");
        if (c === "\n") throw new SbplSyntaxError("newline inside a string");
        if (c === '"') break;
        if (c === "\\") {
          const next = text[i + 1];
          if (next !== "\\" && next !== '"') throw new SbplSyntaxError(`unknown escape \\${next}`);
          value += next;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      stack[stack.length - 1]!.push({ str: value });
    } else if (ch === "#") {
      throw new SbplSyntaxError("raw #\"…\" strings are not emitted by cordon");
    } else {
      let sym = "";
      while (i < text.length && !/[\s()";]/.test(text[i]!)) sym += text[i++];
      stack[stack.length - 1]!.push(sym);
    }
  }
  if (stack.length !== 1) throw new SbplSyntaxError("unbalanced '('");
  return forms;
}

export const KNOWN_OPERATIONS = new Set([
  "default", "process-fork", "process-exec", "signal", "process-info*", "sysctl-read", "mach-lookup", "ipc-posix-sem",
  "file-read*", "file-write*", "file-read-metadata", "file-ioctl", "file-map-executable", "file-write-unlink",
  "pseudo-tty", "system-socket", "network-outbound",
]);
const FILTERS = new Set([
  "subpath", "literal", "regex", "require-all", "require-any", "require-not", "param", "global-name", "sysctl-name",
  "sysctl-name-prefix", "target", "extension", "socket-domain", "remote", "path-literal", "with",
]);

/** Constructs allowed in emitted regexes: anchors, `.`, `*`, `?`, groups, brackets, plain characters. */
const PORTABLE_REGEX = /^[A-Za-z0-9/^$.*?()[\]_~,=%@#&'!:;<> +{}|-]*$/;

export interface Rule {
  action: "allow" | "deny";
  operations: string[];
  filters: Form[];
}

/** Validates the subset and returns the rules (`version` checked). */
export function readProfile(text: string): Rule[] {
  const forms = parseSbpl(text);
  const first = forms[0];
  if (!Array.isArray(first) || first[0] !== "version" || first[1] !== "1") throw new SbplSyntaxError("first form must be (version 1)");
  const rules: Rule[] = [];
  for (const form of forms.slice(1)) {
    if (!Array.isArray(form) || (form[0] !== "allow" && form[0] !== "deny")) throw new SbplSyntaxError(`unexpected top-level form ${JSON.stringify(form)}`);
    const operations: string[] = [];
    const filters: Form[] = [];
    for (const part of form.slice(1)) {
      if (typeof part === "string") {
        if (!KNOWN_OPERATIONS.has(part)) throw new SbplSyntaxError(`unknown operation ${part}`);
        operations.push(part);
      } else if (Array.isArray(part)) {
        checkFilter(part);
        if (part[0] !== "with") filters.push(part);
      } else throw new SbplSyntaxError("a string cannot stand for an operation");
    }
    if (operations.length === 0) throw new SbplSyntaxError("rule without operation");
    rules.push({ action: form[0], operations, filters });
  }
  return rules;
}

function checkFilter(form: Form[]): void {
  const head = form[0];
  if (typeof head !== "string" || !FILTERS.has(head)) throw new SbplSyntaxError(`unknown filter ${JSON.stringify(head)}`);
  if (head === "regex") {
    const arg = form[1];
    if (typeof arg !== "object" || Array.isArray(arg) || !PORTABLE_REGEX.test(arg.str) || arg.str.includes("(?")) {
      throw new SbplSyntaxError(`non-portable regex ${JSON.stringify(arg)}`);
    }
  }
  for (const sub of form.slice(1)) if (Array.isArray(sub)) checkFilter(sub);
}

/** Every string literal in the profile (to prove no path text is spliced in). */
export function stringLiterals(text: string): string[] {
  const out: string[] = [];
  const walk = (f: Form): void => {
    if (Array.isArray(f)) f.forEach(walk);
    else if (typeof f === "object") out.push(f.str);
  };
  parseSbpl(text).forEach(walk);
  return out;
}

function covers(ruleOp: string, op: string): boolean {
  if (ruleOp === op || ruleOp === "default") return true;
  return ruleOp.endsWith("*") && op.startsWith(ruleOp.slice(0, -1));
}

function matchFilter(f: Form, path: string, params: Readonly<Record<string, string>>): boolean {
  if (!Array.isArray(f)) throw new SbplSyntaxError("filter must be a list");
  const value = (arg: Form | undefined): string => {
    if (typeof arg === "object" && !Array.isArray(arg)) return arg.str;
    if (Array.isArray(arg) && arg[0] === "param") {
      const name = (arg[1] as { str: string }).str;
      const v = params[name];
      if (v === undefined) throw new SbplSyntaxError(`missing param ${name}`);
      return v;
    }
    throw new SbplSyntaxError(`bad filter argument ${JSON.stringify(arg)}`);
  };
  switch (f[0]) {
    case "subpath": {
      const root = value(f[1]).toLowerCase();
      const p = path.toLowerCase();
      return root === "/" ? p.startsWith("/") : p === root || p.startsWith(`${root}/`);
    }
    case "literal":
    case "path-literal":
      return path.toLowerCase() === value(f[1]).toLowerCase();
    case "regex":
      return new RegExp(value(f[1])).test(path);
    case "require-all":
      return f.slice(1).every((g) => matchFilter(g, path, params));
    case "require-any":
      return f.slice(1).some((g) => matchFilter(g, path, params));
    case "require-not":
      return !matchFilter(f[1]!, path, params);
    case "remote": // (remote unix-socket (path-literal …)) — evaluated against the socket path
      return f[1] === "unix-socket" && matchFilter(f[2]!, path, params);
    default:
      return false; // non-path filters never match a path query
  }
}

/**
 * Seatbelt's decision for `op` on `path`. `subpath`/`literal` compare case-insensitively (the kernel
 * resolves names on a case-insensitive volume); regexes are applied exactly as written.
 */
export function evaluate(rules: readonly Rule[], params: Readonly<Record<string, string>>, op: string, path: string): boolean {
  let best: { exact: boolean; allow: boolean } | null = null;
  for (const rule of rules) {
    const exact = rule.operations.includes(op);
    if (!exact && !rule.operations.some((o) => covers(o, op))) continue;
    const matches = rule.filters.length === 0 || rule.filters.some((f) => matchFilter(f, path, params));
    if (!matches) continue;
    if (best === null || exact || !best.exact) best = { exact, allow: rule.action === "allow" };
  }
  return best?.allow ?? false;
}
