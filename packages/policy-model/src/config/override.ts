// Parses one `-c dotted.key=TOML-value` override into a tree whose origin is the override text.
import { parse } from "smol-toml";
import { CordonError } from "../errors.js";
import type { Origin } from "../origin.js";
import { findTooDeep } from "./toml-load.js";
import { MAX_KEY_DEPTH } from "./toml-locate.js";
import { treeWithOrigin, type TreeTable } from "./tree.js";

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** Splits the key part of an override into segments; bare, "basic" and 'literal' segments, dot-separated. */
export function parseOverrideKey(text: string): { segments: string[]; rest: string } {
  const segments: string[] = [];
  let pos = 0;
  const fail = (why: string): never => {
    throw new CordonError("E_OVERRIDE", `malformed override ${JSON.stringify(text)}: ${why} (expected KEY=VALUE, e.g. permissions.p.network.enabled=true)`);
  };
  while (true) {
    while (text[pos] === " " || text[pos] === "\t") pos++;
    const c = text[pos];
    if (c === '"' || c === "'") {
      // Let smol-toml decode the quoted segment (escapes included) by parsing it as a key.
      const end = findQuoteEnd(text, pos);
      if (end < 0) fail("unterminated quoted key");
      const quoted = text.slice(pos, end + 1);
      let decoded: Record<string, unknown>;
      try {
        decoded = parse(`${quoted} = 0`) as Record<string, unknown>;
      } catch {
        return fail(`invalid quoted key ${quoted}`);
      }
      segments.push(Object.keys(decoded)[0] as string);
      pos = end + 1;
    } else {
      const start = pos;
      while (pos < text.length && /[A-Za-z0-9_-]/.test(text[pos] as string)) pos++;
      if (pos === start) fail(c === undefined || c === "=" ? "missing key" : `unexpected character ${JSON.stringify(c)} in key`);
      segments.push(text.slice(start, pos));
    }
    while (text[pos] === " " || text[pos] === "\t") pos++;
    if (text[pos] === ".") {
      if (segments.length >= MAX_KEY_DEPTH) fail(`the key has more than ${MAX_KEY_DEPTH} segments`);
      pos++;
      continue;
    }
    if (text[pos] === "=") return { segments, rest: text.slice(pos + 1) };
    return fail(pos >= text.length ? "missing \"=\"" : `unexpected character ${JSON.stringify(text[pos])} in key`);
  }
}

function findQuoteEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === "\\") {
      i++;
      continue;
    }
    if (text[i] === quote) return i;
  }
  return -1;
}

/** Parses `-c KEY=VALUE`: VALUE is one TOML value (quote strings: default_permissions='":read-only"'). */
export function parseOverride(text: string): TreeTable {
  const { segments, rest } = parseOverrideKey(text);
  const origin: Origin = { kind: "cli", text };
  let value: unknown;
  try {
    const doc = parse(`value = ${rest}`) as Record<string, unknown>;
    const keys = Object.keys(doc);
    // Exactly one value: a newline in VALUE must not smuggle in other keys.
    if (keys.length !== 1 || keys[0] !== "value") throw new Error("more than one value");
    value = doc["value"];
  } catch {
    const hint = rest.trim() !== "" && /^[^"'[{]/.test(rest.trim()) && !/^(true|false|[-+0-9])/.test(rest.trim()) ? ` (strings must be quoted: ${segments.map(formatSegment).join(".")}='"${rest.trim()}"')` : "";
    throw new CordonError("E_OVERRIDE", `malformed override ${JSON.stringify(text)}: the value is not a single TOML value${hint}`, { origin });
  }
  let tree: unknown = value;
  for (let i = segments.length - 1; i >= 0; i--) {
    // Null-prototype tables like smol-toml's, so a key such as `__proto__` stays a plain key.
    const table = Object.create(null) as Record<string, unknown>;
    table[segments[i] as string] = tree;
    tree = table;
  }
  if (findTooDeep(tree) !== undefined) {
    throw new CordonError("E_OVERRIDE", `malformed override ${JSON.stringify(text)}: nested more than ${MAX_KEY_DEPTH} levels deep`, { origin });
  }
  return treeWithOrigin(tree as Record<string, unknown>, origin);
}

function formatSegment(segment: string): string {
  return BARE_KEY.test(segment) ? segment : JSON.stringify(segment);
}
