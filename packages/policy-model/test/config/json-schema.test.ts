// Tests for the generated editor JSON Schemas: they match the committed files and reflect the zod rules.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema, configJsonSchemaText } from "../../src/config/json-schema.js";

const schemaDir = join(import.meta.dirname, "..", "..", "schema");

describe("configJsonSchema", () => {
  for (const kind of ["config", "requirements"] as const) {
    it(`${kind}.schema.json is up to date (regenerate: node tools/check-schema.mjs --write after building)`, () => {
      expect(readFileSync(join(schemaDir, `${kind}.schema.json`), "utf8")).toBe(configJsonSchemaText(kind));
    });
  }

  it("is draft 2020-12 and rejects unknown keys", () => {
    const schema = configJsonSchema("config") as Record<string, unknown>;
    expect(schema["$schema"]).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema["additionalProperties"]).toBe(false);
    expect(Object.keys(schema["properties"] as object)).toEqual([
      "default_permissions",
      "permissions",
      "sandbox_mode",
      "sandbox_workspace_write",
      "shell_environment_policy",
    ]);
  });

  it("describes profiles: reserved name prefix, strict network table, access enum", () => {
    const schema = configJsonSchema("config") as { properties: { permissions: Record<string, any> } };
    const permissions = schema.properties.permissions;
    expect(permissions["propertyNames"]).toMatchObject({ pattern: "^(?!:)" });
    const profile = permissions["additionalProperties"];
    expect(profile.additionalProperties).toBe(false);
    expect(profile.properties.network.additionalProperties).toBe(false);
    expect(profile.properties.network.properties.mode.enum).toEqual(["limited", "full"]);
    expect(profile.properties.filesystem.properties.glob_scan_max_depth).toMatchObject({ type: "integer", minimum: 1 });
  });

  it("requirements has only its own keys", () => {
    const schema = configJsonSchema("requirements") as { properties: object; additionalProperties: unknown };
    expect(Object.keys(schema.properties)).toEqual(["allowed_permission_profiles", "default_permissions", "permissions"]);
    expect(schema.additionalProperties).toBe(false);
  });
});
