// The error startEgressProxy throws for bad options or a listener it cannot open safely.

export type EgressProxyErrorCode =
  | "E_PROXY_OPTIONS" // an option is malformed (listen address, limits, upstream proxy URL)
  | "E_PROXY_LISTEN"; // the listener could not be opened, or not privately (socket dir too open)

/** A problem starting the proxy; `message` is complete and human-readable on its own. */
export class EgressProxyError extends Error {
  readonly code: EgressProxyErrorCode;

  constructor(code: EgressProxyErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EgressProxyError";
    this.code = code;
  }
}
