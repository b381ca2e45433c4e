// Header hygiene for plain-HTTP forwarding: hop-by-hop headers (RFC 9110 7.6.1), anything the
// Connection header names, and every Proxy-* header stay between the client and this proxy.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Filters a raw header list (`[name, value, name, value, …]`), dropping hop-by-hop headers, those
 * listed in Connection, `Proxy-*`, and any name in `alsoDrop` (lowercase).
 */
export function filterHeaders(raw: readonly string[], alsoDrop: ReadonlySet<string> = new Set()): string[] {
  const listed = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === "connection") {
      for (const token of (raw[i + 1] as string).split(",")) listed.add(token.trim().toLowerCase());
    }
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed.has(lower) || lower.startsWith("proxy-") || alsoDrop.has(lower)) continue;
    out.push(name, raw[i + 1] as string);
  }
  return out;
}

/** How many times a header (lowercase name) occurs in a raw header list. */
export function countHeader(raw: readonly string[], lowerName: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === lowerName) n++;
  return n;
}

/** The first value of a header (lowercase name) in a raw header list. */
export function headerValue(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === lowerName) return raw[i + 1];
  return undefined;
}
