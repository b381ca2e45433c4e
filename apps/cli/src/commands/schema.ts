// `cordon schema [config|requirements]`: JSON Schema of the TOML files, for editors.
import { configJsonSchema } from "@cordon/policy-model";
import { UsageError, type ParsedCommandLine } from "../args.js";
import { printJson } from "../output.js";

export function schemaCommand(cli: ParsedCommandLine): number {
  if (cli.positionals.length > 1) throw new UsageError("`cordon schema` takes at most one argument: config or requirements");
  const kind = cli.positionals[0] ?? "config";
  if (kind !== "config" && kind !== "requirements") throw new UsageError(`unknown schema "${kind}" (config or requirements)`);
  printJson(configJsonSchema(kind));
  return 0;
}
