// Validates one layer's tree against the zod schema and turns the first problem into one clear CordonError.
import type { z } from "zod";
import { CordonError } from "../errors.js";
import { layerSchema, type LayerKind } from "./layer-schema.js";
import { nearest } from "./suggest.js";
import { isTomlTable, originAt, toPlain, type TreeTable } from "./tree.js";

export type { LayerKind } from "./layer-schema.js";

type Issue = z.core.$ZodIssue;
type Segment = string | number;

interface LocatedError {
  readonly error: CordonError;
  readonly line: number;
}

/** Throws CordonError for the first (in file order) problem in a config or requirements layer. */
export function validateLayer(tree: TreeTable, kind: LayerKind): void {
  checkReservedProfileNames(tree);
  const schema = layerSchema(kind);
  const result = schema.safeParse(toPlain(tree));
  if (result.success) return;
  const errors = result.error.issues.map((issue) => toCordonError(issue, tree, schema, []));
  errors.sort((a, b) => a.line - b.line);
  throw (errors[0] as LocatedError).error;
}

/** Profile names starting with ":" are reserved for built-ins (spec 2). */
function checkReservedProfileNames(tree: TreeTable): void {
  const permissions = tree.entries.get("permissions");
  if (permissions?.kind !== "table") return;
  for (const [name, node] of permissions.entries) {
    if (name.startsWith(":")) {
      throw new CordonError("E_PROFILE", `permissions profile \`${name}\` uses a reserved built-in profile prefix (names starting with ":" are built-ins)`, {
        origin: node.origin,
        keyPath: ["permissions", name],
      });
    }
  }
}

function located(tree: TreeTable, path: readonly Segment[], error: (origin: ReturnType<typeof originAt>) => CordonError): LocatedError {
  const origin = originAt(tree, path);
  return { error: error(origin), line: origin.kind === "file" ? (origin.line ?? 0) : 0 };
}

function stringPath(path: readonly Segment[]): string[] {
  return path.map(String);
}

function toCordonError(issue: Issue, tree: TreeTable, root: z.ZodType, prefix: readonly Segment[]): LocatedError {
  const path: Segment[] = [...prefix, ...(issue.path as Segment[])];
  const input = valueAt(toPlain(tree), path);
  const schemaError = (detail: string, at: readonly Segment[] = path) =>
    located(tree, at, (origin) => new CordonError("E_SCHEMA", detail, { origin, keyPath: stringPath(at) }));

  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0] as string;
      const at = [...path, key];
      const valid = validKeysAt(root, path);
      const guess = nearest(key, valid);
      const hint = guess ? ` (did you mean "${guess}"?)` : valid.length > 0 ? ` (valid keys: ${valid.join(", ")})` : "";
      return located(tree, at, (origin) => new CordonError("E_UNKNOWN_KEY", `unknown key "${key}"${hint}`, { origin, keyPath: stringPath(at) }));
    }
    case "invalid_type":
      return schemaError(`expected ${typeName(issue.expected)}, got ${describeValue(input)}`);
    case "invalid_value":
      return schemaError(`expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}; got ${describeValue(input)}`);
    case "too_small":
      return schemaError(`must be at least ${String(issue.minimum)}, got ${describeValue(input)}`);
    case "too_big":
      return schemaError(`must be at most ${String(issue.maximum)}, got ${describeValue(input)}`);
    case "invalid_union":
      return unionError(issue, tree, root, path, input);
    case "invalid_key":
      return schemaError(`invalid key ${JSON.stringify(String(path[path.length - 1]))}: ${issue.issues[0]?.message ?? issue.message}`);
    default:
      return schemaError(issue.message);
  }
}

/**
 * A union (filesystem entry: access string or table) failed. If one branch got past the type check,
 * report that branch's problem; otherwise say what was expected from every branch.
 */
function unionError(issue: Extract<Issue, { code: "invalid_union" }>, tree: TreeTable, root: z.ZodType, path: Segment[], input: unknown): LocatedError {
  const deeper = issue.errors.find((branch) => branch.some((inner) => inner.path.length > 0));
  if (deeper?.[0] && isTomlTable(input)) return toCordonError(deeper[0], tree, root, path);
  const expected = issue.errors.flatMap((branch) =>
    branch.flatMap((inner) => {
      if (inner.code === "invalid_value") return [inner.values.map((v) => JSON.stringify(v)).join(", ")];
      if (inner.code === "invalid_type") return [`a ${typeName(inner.expected)}`];
      return [];
    }),
  );
  let hint = "";
  const key = path[path.length - 1];
  if (typeof key === "string") {
    const siblings = validKeysAt(root, path.slice(0, -1));
    const guess = siblings.includes(key) ? undefined : nearest(key, siblings);
    if (guess) hint = ` (did you mean "${guess}"?)`;
  }
  const detail = `expected ${expected.join(" or ") || "a valid value"}; got ${describeValue(input)}${hint}`;
  return located(tree, path, (origin) => new CordonError("E_SCHEMA", detail, { origin, keyPath: stringPath(path) }));
}

function valueAt(value: unknown, path: readonly Segment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isTomlTable(current) && Object.hasOwn(current, segment)) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

/** TOML vocabulary for a value's type, with the value when short: `string "yes"`, `integer 0`, `table`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  if (typeof value === "boolean") return `boolean ${String(value)}`;
  if (typeof value === "bigint") return `integer ${String(value)}`;
  if (typeof value === "number") return Number.isInteger(value) ? `integer ${String(value)}` : `float ${String(value)}`;
  if (value instanceof Date) return "datetime";
  if (Array.isArray(value)) return "array";
  return "table";
}

function typeName(expected: string): string {
  switch (expected) {
    case "record":
    case "object":
      return "table";
    case "int":
      return "integer";
    case "number":
      return "number";
    default:
      return expected;
  }
}

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let def = defOf(current); def.innerType && ["optional", "default", "nullable", "readonly", "prefault"].includes(def.type); def = defOf(current)) {
    current = def.innerType;
  }
  return current;
}

/** The named keys an object schema at `path` accepts (empty for records and unknown shapes). */
export function validKeysAt(root: z.ZodType, path: readonly Segment[]): string[] {
  let schema: z.ZodType | undefined = unwrap(root);
  for (const segment of path) {
    if (!schema) return [];
    const def = defOf(schema);
    if (def.type === "object") schema = def.shape?.[String(segment)] ?? def.catchall;
    else if (def.type === "record") schema = def.valueType;
    else if (def.type === "array") schema = def.element;
    else return [];
    if (schema) schema = unwrap(schema);
  }
  if (!schema) return [];
  const def = defOf(schema);
  return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}
