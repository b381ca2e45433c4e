// Where a configuration value came from, so errors and `explain` can name it.

/** The source of one value: a file position, a `-c` override, or a built-in default. */
export type Origin =
  | { readonly kind: "file"; readonly file: string; readonly line?: number; readonly column?: number }
  | { readonly kind: "cli"; readonly text: string }
  | { readonly kind: "builtin"; readonly detail?: string };

export const BUILTIN_ORIGIN: Origin = { kind: "builtin" };

/** Human form: `/etc/cordon/config.toml:12`, `-c permissions.p.network.enabled=true`, `builtin`. */
export function formatOrigin(origin: Origin): string {
  switch (origin.kind) {
    case "file":
      return origin.line === undefined ? origin.file : `${origin.file}:${origin.line}`;
    case "cli":
      return `-c ${origin.text}`;
    case "builtin":
      return origin.detail ? `builtin (${origin.detail})` : "builtin";
  }
}
