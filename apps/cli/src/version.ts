// The CLI's version, read from its package.json when first asked for (only --version and --help need it).
import { readFileSync } from "node:fs";

let version: string | undefined;

/** The version of the installed cordon package. */
export function cliVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  return version;
}
