// `cordon profiles`: every built-in and defined profile, whether it may be selected, which is the default.
import { listProfiles, loadConfig } from "@cordon/policy-model";
import type { ParsedCommandLine } from "../args.js";
import { printJson, printLine, printWarnings } from "../output.js";
import { resolveOptionsFrom } from "../resolve-options.js";

export function profilesCommand(cli: ParsedCommandLine): number {
  const loaded = loadConfig(resolveOptionsFrom(cli.common));
  printWarnings(loaded.warnings);
  const profiles = listProfiles(loaded);
  if (cli.json) {
    printJson(profiles.map((p) => ({ name: p.name, allowed: p.allowed, default: p.default, source: p.source })));
    return 0;
  }
  const width = Math.max(...profiles.map((p) => p.name.length), 4);
  for (const p of profiles) {
    const flags = [p.default ? "default" : "", p.allowed ? "" : "not allowed"].filter(Boolean).join(", ");
    printLine(`${p.name.padEnd(width)}  ${p.source}${flags ? `  (${flags})` : ""}`);
  }
  return 0;
}
