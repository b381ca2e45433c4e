// Reads the entries of an npm tarball (.tgz, ustar) without extracting it: names, modes and contents.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export interface TarEntry {
  readonly mode: number;
  readonly data: Buffer;
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString("utf8");
}

/** Entries by path (e.g. `package/package.json`); regular files only. */
export function readTarball(file: string): Map<string, TarEntry> {
  const archive = gunzipSync(readFileSync(file));
  const entries = new Map<string, TarEntry>();
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = field(header, 0, 100);
    const prefix = field(header, 345, 155);
    const size = Number.parseInt(field(header, 124, 12).trim() || "0", 8);
    const mode = Number.parseInt(field(header, 100, 8).trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const fullName = prefix ? `${prefix}/${name}` : name;
    if (type === "0" || type === "\0") entries.set(fullName, { mode, data: archive.subarray(offset + 512, offset + 512 + size) });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** The package.json inside an npm tarball. */
export function tarballManifest(file: string): Record<string, unknown> {
  const entry = readTarball(file).get("package/package.json");
  if (!entry) throw new Error(`${file} has no package/package.json`);
  return JSON.parse(entry.data.toString("utf8")) as Record<string, unknown>;
}
