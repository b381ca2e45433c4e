// `cordon env`: the exact environment the command would start with (before run-time proxy variables).
import { resolvePolicy } from "@cordon/policy-model";
import type { ParsedCommandLine } from "../args.js";
import { printJson, printLine, printWarnings } from "../output.js";
import { resolveOptionsFrom } from "../resolve-options.js";

export function envCommand(cli: ParsedCommandLine): number {
  const policy = resolvePolicy(resolveOptionsFrom(cli.common));
  printWarnings(policy.warnings);
  const names = Object.keys(policy.environment).sort();
  if (cli.json) {
    printJson(Object.fromEntries(names.map((name) => [name, policy.environment[name]])));
  } else {
    for (const name of names) printLine(`${name}=${policy.environment[name] ?? ""}`);
  }
  return 0;
}
