// Every spelling under which the kernel may present one path to Seatbelt: as written, its canonical
// (symlink-resolved) form, and the Unicode NFC/NFD forms of both (APFS compares names
// normalization-insensitively, Seatbelt compares strings). FS-14, MAC-03, FS-22.

/** macOS system symlinks that every host has: `/tmp -> private/tmp` and friends. */
const SYSTEM_LINKS: readonly (readonly [string, string])[] = [
  ["/tmp", "/private/tmp"],
  ["/var", "/private/var"],
  ["/etc", "/private/etc"],
];

/** The canonical spelling a stock macOS host gives `path` (used when no realpath fact is known). */
export function standardCanonical(path: string): string {
  for (const [link, target] of SYSTEM_LINKS) {
    if (path === link || path.startsWith(`${link}/`)) return target + path.slice(link.length);
  }
  return path;
}

/** Resolves paths to their canonical spelling; facts from the real host win over the stock mapping. */
export type Canonicalizer = (path: string) => string;

/** A canonicalizer from realpath facts (`logical -> canonical`), falling back to the stock mapping. */
export function canonicalizerFrom(facts: Readonly<Record<string, string>> | undefined): Canonicalizer {
  return (path) => facts?.[path] ?? standardCanonical(path);
}

/** Unique spellings of `path`, the logical one first. */
export function spellingsOf(path: string, canonical: Canonicalizer): string[] {
  const out = new Set<string>();
  for (const form of [path, canonical(path)]) {
    out.add(form);
    out.add(form.normalize("NFC"));
    out.add(form.normalize("NFD"));
  }
  return [...out];
}
