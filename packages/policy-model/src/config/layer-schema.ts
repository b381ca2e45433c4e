// The zod side of config/: the schema of each layer kind, for validation and for the editor JSON Schema.
// validate.ts and json-schema.ts reach zod only through these functions, so that a bundle (the CLI's,
// see apps/cli/build.mjs) can defer loading zod until a layer is actually validated.
import { z } from "zod";
import { ConfigFile, RequirementsFile } from "../schema.js";

/** The two kinds of TOML layer: config.toml and requirements.toml (managed). */
export type LayerKind = "config" | "requirements";

/** The zod schema a layer of `kind` must satisfy. */
export function layerSchema(kind: LayerKind): z.ZodType {
  return kind === "config" ? ConfigFile : RequirementsFile;
}

/** The JSON Schema (draft 2020-12) of a layer's input, generated from its zod schema. */
export function layerJsonSchema(kind: LayerKind): z.core.JSONSchema.BaseSchema {
  return z.toJSONSchema(layerSchema(kind), { io: "input" });
}
