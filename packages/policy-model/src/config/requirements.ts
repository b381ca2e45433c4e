// Managed requirements: the closed allowlist `allowed_permission_profiles` and the managed default (spec 8).
import { CordonError } from "../errors.js";
import { formatOrigin, type Origin } from "../origin.js";
import { READ_ONLY, WORKSPACE } from "./profiles.js";
import type { Layer } from "./layers.js";
import { tableAt, type TreeTable } from "./tree.js";

/** The merged allowlist: per-profile value and the layer that set it. */
export interface Allowlist {
  readonly entries: ReadonlyMap<string, { readonly allowed: boolean; readonly origin: Origin }>;
  /** Where the table was first introduced. */
  readonly origin: Origin;
  /** Every requirements file that contributes to the allowlist, lowest first. */
  readonly files: readonly string[];
}

export interface ManagedPolicy {
  /** Absent = every profile may be selected. */
  readonly allowlist: Allowlist | undefined;
  /** The managed default (explicit, or `:workspace` when the allowlist allows both standard built-ins). */
  readonly defaultProfile: { readonly name: string; readonly origin: Origin } | undefined;
}

/** True when the allowlist (if any) lets `name` be selected. */
export function isAllowed(managed: ManagedPolicy, name: string): boolean {
  return managed.allowlist === undefined || managed.allowlist.entries.get(name)?.allowed === true;
}

/** `a, b` or `(none)`: the profiles whose merged value is true. */
export function describeAllowed(allowlist: Allowlist): string {
  const allowed = [...allowlist.entries].filter(([, entry]) => entry.allowed).map(([name]) => name);
  return allowed.length > 0 ? allowed.join(", ") : "(none)";
}

/**
 * Reads the merged requirements and checks their rules: every allowlist key names a known profile;
 * a managed default needs the allowlist and must be allowed by it; without a managed default the
 * allowlist must allow both `:workspace` and `:read-only` (the default is then `:workspace`).
 */
export function analyzeRequirements(requirements: TreeTable, layers: readonly Layer[], isDefined: (name: string) => boolean): ManagedPolicy {
  const table = tableAt(requirements, ["allowed_permission_profiles"]);
  let allowlist: Allowlist | undefined;
  if (table) {
    const entries = new Map<string, { allowed: boolean; origin: Origin }>();
    for (const [name, node] of table.entries) {
      if (node.kind !== "leaf") continue;
      if (!isDefined(name)) {
        throw new CordonError("E_REQUIREMENTS", `requirements.toml allowed_permission_profiles refers to undefined profile \`${name}\``, {
          origin: node.origin,
          keyPath: ["allowed_permission_profiles", name],
        });
      }
      entries.set(name, { allowed: node.value === true, origin: node.origin });
    }
    const files = layers.filter((layer) => layer.tree.entries.has("allowed_permission_profiles") && layer.file !== undefined).map((layer) => layer.file as string);
    allowlist = { entries, origin: table.origin, files };
  }

  const managed = requirements.entries.get("default_permissions");
  if (managed?.kind === "leaf" && typeof managed.value === "string") {
    const where = { origin: managed.origin, keyPath: ["default_permissions"] };
    if (!allowlist) {
      throw new CordonError("E_REQUIREMENTS", "requirements.toml default_permissions requires allowed_permission_profiles", where);
    }
    if (allowlist.entries.get(managed.value)?.allowed !== true) {
      throw new CordonError(
        "E_REQUIREMENTS",
        `requirements.toml default_permissions \`${managed.value}\` must be allowed by allowed_permission_profiles (allowed: ${describeAllowed(allowlist)})`,
        where,
      );
    }
    return { allowlist, defaultProfile: { name: managed.value, origin: managed.origin } };
  }

  if (!allowlist) return { allowlist: undefined, defaultProfile: undefined };
  const standardPair = [WORKSPACE, READ_ONLY].every((name) => allowlist.entries.get(name)?.allowed === true);
  if (!standardPair) {
    throw new CordonError(
      "E_REQUIREMENTS",
      `requirements.toml default_permissions must be set unless allowed_permission_profiles allows both \`${WORKSPACE}\` and \`${READ_ONLY}\` (allowed: ${describeAllowed(allowlist)})`,
      { origin: allowlist.origin, keyPath: ["allowed_permission_profiles"] },
    );
  }
  return {
    allowlist,
    defaultProfile: { name: WORKSPACE, origin: { kind: "builtin", detail: `allowed_permission_profiles at ${formatOrigin(allowlist.origin)} allows :workspace and :read-only` } },
  };
}
