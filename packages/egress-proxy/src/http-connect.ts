// HTTP CONNECT: validate the authority-form target and Host header, decide, connect to a checked
// address, answer 200 and splice the two sockets. Denials get a 403 JSON answer and a close.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { checkTarget, recordRefusal } from "./check-target.js";
import { ConnectFailure } from "./connect.js";
import { openTunnel, type ProxyContext } from "./context.js";
import { countHeader, headerValue } from "./http-headers.js";
import { blockedResponse, endAndDestroy, serializeResponse, upstreamErrorResponse } from "./responses.js";
import { hostHeaderMatches, parseAuthority } from "./target.js";
import { spliceSockets } from "./tunnel.js";

/** Handles one CONNECT request on a socket the HTTP server has handed over. */
export async function handleConnect(ctx: ProxyContext, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
  socket.on("error", () => socket.destroy());
  const url = req.url ?? "";
  const parsed = parseAuthority(url, null);
  let problem: string | undefined = parsed.ok ? undefined : parsed.detail;
  if (parsed.ok) {
    const hostHeader = headerValue(req.rawHeaders, "host");
    if (countHeader(req.rawHeaders, "host") > 1) problem = "more than one Host header";
    else if (hostHeader !== undefined && !hostHeaderMatches(hostHeader, parsed.target, null)) {
      problem = `Host header ${JSON.stringify(hostHeader)} does not match the CONNECT target ${JSON.stringify(url)}`;
    }
  }
  if (!parsed.ok || problem !== undefined) {
    const decision = recordRefusal(ctx.log, "connect", url, parsed.ok ? parsed.target.port : null, "invalid_request", problem ?? "invalid");
    endAndDestroy(socket, serializeResponse(blockedResponse(decision)));
    return;
  }
  const { host, port } = parsed.target;
  const outcome = await checkTarget(ctx, "connect", host, port);
  if (socket.destroyed) return;
  if (outcome.kind === "deny") {
    endAndDestroy(socket, serializeResponse(blockedResponse(outcome.decision)));
    return;
  }
  if (outcome.kind === "unresolved") {
    endAndDestroy(socket, serializeResponse(upstreamErrorResponse(outcome.host, port, "ENOTFOUND", outcome.detail)));
    return;
  }
  let upstream: Socket;
  try {
    upstream = await openTunnel(ctx, outcome.addresses, port);
  } catch (err) {
    const failure = err instanceof ConnectFailure ? err : new ConnectFailure("EUNKNOWN", String(err));
    endAndDestroy(socket, serializeResponse(upstreamErrorResponse(outcome.host, port, failure.code, failure.message)));
    return;
  }
  if (socket.destroyed) {
    upstream.destroy();
    return;
  }
  socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
  if (head.length > 0) upstream.write(head);
  spliceSockets(socket, upstream, ctx.limits.idleTimeoutMs);
}
