// JSON Schema (draft 2020-12) of config.toml and requirements.toml, generated from the zod schemas.
import { z } from "zod";
import { ConfigFile, RequirementsFile } from "../schema.js";

/** The editor schema for `config.toml` or `requirements.toml`. */
export function configJsonSchema(kind: "config" | "requirements"): object {
  return z.toJSONSchema(kind === "config" ? ConfigFile : RequirementsFile, { io: "input" });
}
