// JSON Schema (draft 2020-12) of config.toml and requirements.toml, generated from the zod schemas.
import { layerJsonSchema } from "./layer-schema.js";

/** The editor schema for `config.toml` or `requirements.toml` (committed under packages/policy-model/schema/). */
export function configJsonSchema(kind: "config" | "requirements"): object {
  const schema = layerJsonSchema(kind);
  const title = kind === "config" ? "cordon config.toml" : "cordon requirements.toml (managed)";
  return { $schema: schema.$schema, title, ...schema };
}

/** The exact text of the committed schema file for `kind` (2-space JSON, trailing newline). */
export function configJsonSchemaText(kind: "config" | "requirements"): string {
  return `${JSON.stringify(configJsonSchema(kind), null, 2)}\n`;
}
