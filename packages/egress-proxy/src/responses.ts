// The HTTP answers the proxy itself writes: 403 for policy denials (JSON body, x-proxy-error header),
// 4xx for malformed requests and 5xx for upstream failures; written raw so they also work on a
// socket the HTTP server has already handed over (CONNECT).
import type { Socket } from "node:net";
import type { ProxyDecision } from "./types.js";

/** The `x-proxy-error` value for each refusal reason. */
export function proxyErrorHeader(reason: ProxyDecision["reason"]): string {
  switch (reason) {
    case "denied":
      return "blocked-by-denylist";
    case "not_allowed":
      return "blocked-by-allowlist";
    case "not_allowed_local":
      return "blocked-by-local-policy";
    case "network_disabled":
      return "blocked-network-disabled";
    case "proxy_self":
      return "blocked-self-target";
    case "invalid_host":
    case "invalid_request":
      return "invalid-request";
    case "command_not_supported":
      return "not-supported";
    case "allowed":
      return "none";
  }
}

const MESSAGES: Record<ProxyDecision["reason"], string> = {
  allowed: "Allowed by the sandbox policy.",
  denied: "Domain denied by the sandbox policy.",
  not_allowed: "Domain not in the sandbox allowlist.",
  not_allowed_local: "Local or private address not allowed by the sandbox policy.",
  network_disabled: "Network access is disabled by the sandbox policy.",
  proxy_self: "Requests through the proxy to the proxy itself are not allowed.",
  invalid_host: "Invalid target host.",
  invalid_request: "Invalid proxy request.",
  command_not_supported: "Not supported by the sandbox proxy.",
};

/** One HTTP response as raw bytes. */
export interface RawResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** 403 for a policy denial, 400 for an invalid request: `{"status":"blocked",host,port,reason,message}`. */
export function blockedResponse(d: ProxyDecision): RawResponse {
  const invalid = d.reason === "invalid_request" || d.reason === "invalid_host";
  const body = JSON.stringify({ status: "blocked", host: d.host, port: d.port, reason: d.reason, message: MESSAGES[d.reason] });
  return {
    status: invalid ? 400 : 403,
    statusText: invalid ? "Bad Request" : "Forbidden",
    headers: { "content-type": "application/json", "x-proxy-error": proxyErrorHeader(d.reason) },
    body,
  };
}

/** 502/504 when the target was allowed but could not be reached. */
export function upstreamErrorResponse(host: string, port: number, code: string, detail: string): RawResponse {
  const timeout = code === "ETIMEDOUT";
  const body = JSON.stringify({ status: "error", host, port, reason: "upstream_unreachable", message: detail });
  return {
    status: timeout ? 504 : 502,
    statusText: timeout ? "Gateway Timeout" : "Bad Gateway",
    headers: { "content-type": "application/json", "x-proxy-error": "upstream-unreachable" },
    body,
  };
}

/** A bare status answer for parser-level errors (400, 408, 431, 501). */
export function statusResponse(status: number, statusText: string, message: string): RawResponse {
  return {
    status,
    statusText,
    headers: { "content-type": "application/json", "x-proxy-error": "invalid-request" },
    body: JSON.stringify({ status: "error", reason: "invalid_request", message }),
  };
}

/** Serializes a response with Content-Length and `Connection: close`. */
export function serializeResponse(r: RawResponse): string {
  const lines = [`HTTP/1.1 ${r.status} ${r.statusText}`];
  for (const [name, value] of Object.entries(r.headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${Buffer.byteLength(r.body)}`, "connection: close", "", r.body);
  return lines.join("\r\n");
}

/**
 * Writes `data` (if any) and a FIN, then keeps reading and discarding what the peer still sends
 * until it closes too, or a short grace ends. Destroying at once would make the kernel answer
 * unread bytes with a reset, and the peer could lose the response.
 */
export function endAndDestroy(socket: Socket, data?: string | Buffer, graceMs = 2000): void {
  if (socket.destroyed) return;
  const grace = setTimeout(() => socket.destroy(), graceMs);
  grace.unref();
  socket.once("close", () => clearTimeout(grace));
  socket.on("error", () => socket.destroy());
  socket.once("end", () => {
    if (socket.writableFinished) socket.destroy();
    else socket.once("finish", () => socket.destroy());
  });
  socket.resume();
  if (data === undefined) socket.end();
  else socket.end(data);
}
