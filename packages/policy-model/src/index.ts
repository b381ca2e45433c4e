// Public API of @cordon/policy-model.
export * from "./origin.js";
export * from "./errors.js";
export * from "./resolved-policy.js";
export type * from "./backend.js";
export * as schema from "./schema.js";
