// `cordon check`: validates every layer and every profile; prints warnings; exit 0 or 2.
import { checkConfig } from "@cordon/policy-model";
import type { ParsedCommandLine } from "../args.js";
import { printLine, printWarnings } from "../output.js";
import { resolveOptionsFrom } from "../resolve-options.js";

export function checkCommand(cli: ParsedCommandLine): number {
  const warnings = checkConfig(resolveOptionsFrom(cli.common));
  printWarnings(warnings);
  printLine(`ok: configuration is valid${warnings.length > 0 ? ` (${warnings.length} warning${warnings.length === 1 ? "" : "s"})` : ""}`);
  return 0;
}
