// A TOML value tree where every table and leaf carries its Origin, plus the layer merge (spec 1).
import type { Origin } from "../origin.js";
import type { KeyPath } from "./toml-locate.js";

/** A table: its keys in source order, each with its own origin. */
export interface TreeTable {
  readonly kind: "table";
  readonly origin: Origin;
  readonly entries: ReadonlyMap<string, TreeNode>;
}

/** Anything that is not a table (arrays included: they are replaced whole when layers merge). */
export interface TreeLeaf {
  readonly kind: "leaf";
  readonly origin: Origin;
  readonly value: unknown;
  /** For arrays: the origin of each element. */
  readonly elementOrigins?: readonly Origin[];
}

export type TreeNode = TreeTable | TreeLeaf;

/** True for the plain (often null-prototype) objects smol-toml produces for tables. */
export function isTomlTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Date) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/** Builds a tree from parsed TOML; `originAt` returns the position of a path or undefined (then the parent's is used). */
export function buildTree(value: Record<string, unknown>, originAt: (path: KeyPath) => Origin | undefined, rootOrigin: Origin): TreeTable {
  return buildTable(value, [], originAt, rootOrigin);
}

function buildTable(value: Record<string, unknown>, path: KeyPath, originAt: (path: KeyPath) => Origin | undefined, origin: Origin): TreeTable {
  const entries = new Map<string, TreeNode>();
  for (const key of Object.keys(value)) {
    const childPath = [...path, key];
    const childOrigin = originAt(childPath) ?? origin;
    const child = value[key];
    if (isTomlTable(child)) {
      entries.set(key, buildTable(child, childPath, originAt, childOrigin));
    } else if (Array.isArray(child)) {
      const elementOrigins = child.map((_, index) => originAt([...childPath, index]) ?? childOrigin);
      entries.set(key, { kind: "leaf", origin: childOrigin, value: child, elementOrigins });
    } else {
      entries.set(key, { kind: "leaf", origin: childOrigin, value: child });
    }
  }
  return { kind: "table", origin, entries };
}

/** A tree whose every node has the same origin (a `-c` override, a built-in projection). */
export function treeWithOrigin(value: Record<string, unknown>, origin: Origin): TreeTable {
  return buildTree(value, () => undefined, origin);
}

/**
 * Merges `higher` over `lower` as TOML tables: tables merge key by key recursively, anything else in
 * `higher` replaces what `lower` had (arrays whole). Inputs are not modified.
 */
export function mergeTrees(lower: TreeTable, higher: TreeTable): TreeTable {
  const entries = new Map<string, TreeNode>(lower.entries);
  for (const [key, node] of higher.entries) {
    const below = entries.get(key);
    entries.set(key, below?.kind === "table" && node.kind === "table" ? mergeTrees(below, node) : node);
  }
  // The table keeps the origin where it was first introduced.
  return { kind: "table", origin: lower.origin, entries };
}

/** The node at `path`, if any. */
export function nodeAt(tree: TreeNode, path: readonly string[]): TreeNode | undefined {
  let node: TreeNode | undefined = tree;
  for (const key of path) {
    if (node?.kind !== "table") return undefined;
    node = node.entries.get(key);
  }
  return node;
}

/** The table at `path`, or undefined when absent or not a table. */
export function tableAt(tree: TreeNode, path: readonly string[]): TreeTable | undefined {
  const node = nodeAt(tree, path);
  return node?.kind === "table" ? node : undefined;
}

/** The origin of `path`, or of its deepest existing ancestor (array indices address elements). */
export function originAt(tree: TreeNode, path: KeyPath): Origin {
  let node: TreeNode = tree;
  for (const segment of path) {
    if (node.kind === "leaf") {
      if (typeof segment === "number" && node.elementOrigins?.[segment]) return node.elementOrigins[segment];
      return node.origin;
    }
    const next = node.entries.get(String(segment));
    if (!next) return node.origin;
    node = next;
  }
  return node.origin;
}

/** A copy of the tree without the given top-level keys. */
export function withoutKeys(tree: TreeTable, keys: readonly string[]): TreeTable {
  const entries = new Map(tree.entries);
  for (const key of keys) entries.delete(key);
  return { kind: "table", origin: tree.origin, entries };
}

/** A copy of the tree with `node` placed at `path` (intermediate tables are created with `node`'s origin). */
export function withNode(tree: TreeTable, path: readonly string[], node: TreeNode | undefined): TreeTable {
  const [head, ...rest] = path;
  if (head === undefined) return tree;
  const entries = new Map(tree.entries);
  if (rest.length === 0) {
    if (node) entries.set(head, node);
    else entries.delete(head);
  } else {
    const existing = entries.get(head);
    const base: TreeTable =
      existing?.kind === "table" ? existing : { kind: "table", origin: node?.origin ?? tree.origin, entries: new Map() };
    entries.set(head, withNode(base, rest, node));
  }
  return { kind: "table", origin: tree.origin, entries };
}

/** The plain value (null-prototype objects for tables, so no key can touch a prototype). */
export function toPlain(node: TreeNode): unknown {
  if (node.kind === "leaf") return node.value;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, child] of node.entries) out[key] = toPlain(child);
  return out;
}
