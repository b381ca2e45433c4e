// Public API of @cordon/egress-proxy: the managed egress proxy (HTTP CONNECT/forward + SOCKS5).
export type * from "./types.js";
export { startEgressProxy } from "./proxy.js";
export { DEFAULT_LIMITS } from "./limits.js";
export { EgressProxyError } from "./errors.js";
