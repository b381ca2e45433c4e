// Public API of @cordon/policy-model.
export * from "./origin.js";
export * from "./errors.js";
export * from "./resolved-policy.js";
export type * from "./backend.js";
// Bound by name rather than `export * as`: same namespace export, but a bundler can leave it out (and
// with it zod's start-up) when nothing uses it.
import * as schema from "./schema.js";
export { schema };
export {
  normalizeAbsolute,
  isWithin,
  isAbsolutePath,
  expandHome,
  pathComponents,
  pathDepth,
  parentPath,
  joinPath,
  rootPrefixOf,
  samePath,
  foldCase,
} from "./filesystem/paths.js";
export {
  globMatches,
  compileGlob,
  parseGlob,
  escapeGlobLiteral,
  hasGlobChars,
  splitComponents,
  literalComponent,
  isGlobstarComponent,
  GlobSyntaxError,
  type GlobToken,
} from "./filesystem/glob.js";
export { compileFilesystem, MINIMAL_READ_ROOTS, type FilesystemContext, type CompiledFilesystem } from "./filesystem/compile.js";
export { decidePath, describeRule, describeGlob, describeProtection } from "./filesystem/decide.js";
export { findProtectedPaths, PROTECTED_METADATA_NAMES, readGitdirPointer, ancestorHasGitMetadata } from "./filesystem/protected.js";
export { expandDenyGlobs, MAX_DENY_GLOB_MATCHES, type GlobExpansion } from "./filesystem/expand.js";
export * from "./config/resolve.js";
export * from "./config/json-schema.js";
export { normalizeHost, normalizeDomainPattern, isLocalhostName, isValidHostname, type NormalizedHost } from "./network/host.js";
export { parseIpLiteral, isLocalOrPrivateAddress } from "./network/address.js";
export { compileNetwork, NETWORK_DEFAULTS } from "./network/compile.js";
export { decideHost, decideResolvedAddress, isLocalTarget } from "./network/decide.js";
export { GLOBAL_DENY_MESSAGE, patternMatches } from "./network/patterns.js";
export {
  computeEnvironment,
  environmentPatternMatcher,
  CORE_ENVIRONMENT_VARIABLES,
  DEFAULT_ENVIRONMENT_EXCLUDES,
  SANDBOX_MARKER_VARIABLE,
} from "./environment.js";
