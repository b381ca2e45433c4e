// An independent glob reference for tests: brace expansion first, then a direct regex translation.
// Written separately from src/filesystem/glob.ts (no shared code) so that property tests compare two
// implementations of the spec's grammar.

/** Expands `{a,b}` groups (nested) into plain alternatives; `{x}` and unclosed braces are literal. */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "[") {
      const close = findClassEnd(pattern, i);
      if (close > 0) {
        i = close;
        continue;
      }
    }
    if (c === "{") {
      if (depth === 0) open = i;
      depth++;
    } else if (c === "}" && depth > 0) {
      depth--;
      if (depth === 0) {
        const inner = pattern.slice(open + 1, i);
        const parts = splitTopLevelCommas(inner);
        if (parts.length < 2) continue; // literal group; keep scanning after it
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        return parts.flatMap((p) => expandBraces(head + p + tail));
      }
    }
  }
  return [pattern];
}

function splitTopLevelCommas(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** Index of the `]` closing the class opened at `open`, or -1 (then `[` is literal). */
function findClassEnd(p: string, open: number): number {
  let i = open + 1;
  if (p[i] === "!" || p[i] === "^") i++;
  if (p[i] === "]") i++;
  for (; i < p.length; i++) {
    if (p[i] === "/") return -1;
    if (p[i] === "\\") i++;
    else if (p[i] === "]") return i;
  }
  return -1;
}

const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

function componentRegex(comp: string): string {
  let out = "";
  for (let i = 0; i < comp.length; i++) {
    const c = comp[i]!;
    if (c === "\\") {
      out += reEscape(comp[i + 1] ?? "\\");
      i++;
    } else if (c === "*") {
      while (comp[i + 1] === "*") i++;
      out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "[" && findClassEnd(comp, i) > 0) {
      const end = findClassEnd(comp, i);
      let body = comp.slice(i + 1, end);
      let negated = false;
      if (body.startsWith("!") || body.startsWith("^")) {
        negated = true;
        body = body.slice(1);
      }
      let cls = "";
      for (let k = 0; k < body.length; k++) {
        if (body[k] === "\\") {
          cls += reEscape(body[k + 1]!);
          k++;
        } else if (body[k] === "-" && k > 0 && k < body.length - 1) cls += "-";
        else cls += reEscape(body[k]!);
      }
      out += negated ? `[^/${cls}]` : `[${cls}]`;
      i = end;
    } else out += reEscape(c);
  }
  return out;
}

/** Splits at `/` that is not escaped and not inside a class. */
function splitComponentsRef(p: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\") {
      cur += c + (p[i + 1] ?? "");
      i++;
    } else if (c === "[" && findClassEnd(p, i) > 0) {
      const end = findClassEnd(p, i);
      cur += p.slice(i, end + 1);
      i = end;
    } else if (c === "/") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Reference matcher for absolute patterns against normalized absolute paths. */
export function referenceMatch(pattern: string, path: string, caseSensitive: boolean): boolean {
  return expandBraces(pattern).some((alt) => {
    const comps = splitComponentsRef(alt);
    let re = "^" + componentRegex(comps[0]!);
    for (const comp of comps.slice(1)) {
      if (/^\*\*+$/.test(comp)) re += "(?:/[^/]+)*";
      else re += "/" + componentRegex(comp);
    }
    return new RegExp(re + "$", caseSensitive ? "s" : "is").test(path);
  });
}
