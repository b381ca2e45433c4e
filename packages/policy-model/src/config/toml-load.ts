// Reads one TOML file (size guard, UTF-8 check), parses it with smol-toml and returns a tree with file:line origins.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import { parse, TomlError } from "smol-toml";
import { CordonError } from "../errors.js";
import type { Origin } from "../origin.js";
import { locateKeys, MAX_KEY_DEPTH, pathKey, type KeySegment } from "./toml-locate.js";
import { buildTree, isTomlTable, type TreeTable } from "./tree.js";

/** Config and requirements files larger than this are refused (a policy file is a few KiB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads a file as UTF-8 text; throws CordonError E_IO (missing, unreadable, too large) or E_TOML_SYNTAX (not UTF-8). */
export function readConfigText(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw new CordonError("E_IO", `cannot read file: ${describeIoError(error)}`, { origin: { kind: "file", file } });
  }
  try {
    if (fstatSync(fd).isDirectory()) {
      throw new CordonError("E_IO", "cannot read file: it is a directory", { origin: { kind: "file", file } });
    }
    // Read at most one byte past the limit: works for pipes too, and never loads a huge file.
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_CONFIG_BYTES) {
      throw new CordonError("E_IO", `file is larger than ${MAX_CONFIG_BYTES} bytes (1 MiB); refusing to load it as configuration`, {
        origin: { kind: "file", file },
      });
    }
    return decodeUtf8(buffer.subarray(0, length), file);
  } catch (error) {
    if (error instanceof CordonError) throw error;
    throw new CordonError("E_IO", `cannot read file: ${describeIoError(error)}`, { origin: { kind: "file", file } });
  } finally {
    closeSync(fd);
  }
}

function decodeUtf8(bytes: Buffer, file: string): string {
  if (!isUtf8(bytes)) {
    // Name the first line that is not valid UTF-8.
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        if (!isUtf8(bytes.subarray(start, i))) break;
        line++;
        start = i + 1;
      }
    }
    throw new CordonError("E_TOML_SYNTAX", "file is not valid UTF-8 text (TOML files must be UTF-8)", {
      origin: { kind: "file", file, line },
    });
  }
  const text = bytes.toString("utf8");
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

function describeIoError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  return typeof code === "string" ? code : String((error as Error).message ?? error);
}

/** Parses TOML text; every table and value gets an Origin naming `origin.file` (or the `-c` text) and its line. */
export function parseTomlText(text: string, file: string): TreeTable {
  let data: Record<string, unknown>;
  try {
    data = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      // The first line of smol-toml's message is the reason; the rest is a code frame we replace with file:line:column.
      const reason = error.message.split("\n")[0]?.replace(/^Invalid TOML document: /, "") ?? "invalid TOML";
      throw new CordonError("E_TOML_SYNTAX", `invalid TOML at column ${error.column}: ${reason}`, {
        origin: { kind: "file", file, line: error.line, column: error.column },
      });
    }
    throw new CordonError("E_TOML_SYNTAX", `invalid TOML: ${String(error)}`, { origin: { kind: "file", file } });
  }
  const positions = locateKeys(text);
  const originAt = (path: readonly (string | number)[]): Origin | undefined => {
    const position = positions.get(pathKey(path));
    return position ? { kind: "file", file, line: position.line, column: position.column } : undefined;
  };
  const tooDeep = findTooDeep(data);
  if (tooDeep) {
    const at = tooDeep.map(String);
    throw new CordonError("E_SCHEMA", `tables and arrays are nested more than ${MAX_KEY_DEPTH} levels deep`, {
      origin: originAt(tooDeep) ?? { kind: "file", file },
      keyPath: at,
    });
  }
  return buildTree(data, originAt, { kind: "file", file });
}

/** The first path deeper than MAX_KEY_DEPTH (iterative, so hostile nesting cannot overflow the stack). */
export function findTooDeep(data: unknown): KeySegment[] | undefined {
  const stack: { value: unknown; path: KeySegment[] }[] = [{ value: data, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: KeySegment[] };
    if (path.length > MAX_KEY_DEPTH) return path;
    if (Array.isArray(value)) value.forEach((child, index) => stack.push({ value: child, path: [...path, index] }));
    else if (isTomlTable(value)) for (const key of Object.keys(value)) stack.push({ value: value[key], path: [...path, key] });
  }
  return undefined;
}

/** Reads and parses one TOML file. */
export function loadTomlFile(file: string): TreeTable {
  return parseTomlText(readConfigText(file), file);
}
