// Public API of @cordon/policy-model.
export * from "./origin.js";
export * from "./errors.js";
export * from "./resolved-policy.js";
export type * from "./backend.js";
export * as schema from "./schema.js";
export * from "./filesystem/paths.js";
export * from "./filesystem/glob.js";
export * from "./filesystem/compile.js";
export * from "./filesystem/decide.js";
export * from "./filesystem/protected.js";
export * from "./filesystem/expand.js";
export * from "./config/resolve.js";
export * from "./config/json-schema.js";
