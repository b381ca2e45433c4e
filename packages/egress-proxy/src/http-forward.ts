// Plain HTTP forwarding (absolute-form `GET http://host/path`): validate the URL and Host header
// (NET-08), decide (NET-06: plain HTTP is filtered exactly like CONNECT), then send the request in
// origin-form over a fresh connection to a checked address, without hop-by-hop and Proxy-* headers.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { checkTarget, recordRefusal } from "./check-target.js";
import { ConnectFailure } from "./connect.js";
import { openTunnel, type ProxyContext } from "./context.js";
import { countHeader, filterHeaders, headerValue } from "./http-headers.js";
import { blockedResponse, upstreamErrorResponse, type RawResponse } from "./responses.js";
import { hostHeaderMatches, parseAbsoluteHttpUrl } from "./target.js";

// Dropped on top of hop-by-hop headers: we set Host ourselves, and answered Expect already.
const REQUEST_DROP = new Set(["host", "expect"]);

/** Handles one non-CONNECT request. */
export async function handleForward(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "";
  const parsed = parseAbsoluteHttpUrl(url);
  let problem: string | undefined = parsed.ok ? undefined : parsed.detail;
  if (parsed.ok) {
    const hostHeader = headerValue(req.rawHeaders, "host");
    const te = headerValue(req.rawHeaders, "transfer-encoding");
    if (countHeader(req.rawHeaders, "host") > 1) problem = "more than one Host header";
    else if (hostHeader !== undefined && !hostHeaderMatches(hostHeader, parsed.target, 80)) {
      problem = `Host header ${JSON.stringify(hostHeader)} does not match the request URL authority ${JSON.stringify(parsed.target.authority)}`;
    } else if (te !== undefined && (countHeader(req.rawHeaders, "transfer-encoding") > 1 || te.trim().toLowerCase() !== "chunked")) {
      problem = `unsupported Transfer-Encoding ${JSON.stringify(te)}`;
    }
  }
  if (!parsed.ok || problem !== undefined) {
    const decision = recordRefusal(ctx.log, "http", parsed.ok ? parsed.target.host : url, parsed.ok ? parsed.target.port : null, "invalid_request", problem ?? "invalid");
    send(res, blockedResponse(decision));
    return;
  }
  const target = parsed.target;
  const outcome = await checkTarget(ctx, "http", target.host, target.port);
  if (res.destroyed) return;
  if (outcome.kind === "deny") return send(res, blockedResponse(outcome.decision));
  if (outcome.kind === "unresolved") return send(res, upstreamErrorResponse(outcome.host, target.port, "ENOTFOUND", outcome.detail));

  let socket: Socket;
  try {
    socket = await openTunnel(ctx, outcome.addresses, target.port);
  } catch (err) {
    const failure = err instanceof ConnectFailure ? err : new ConnectFailure("EUNKNOWN", String(err));
    return send(res, upstreamErrorResponse(outcome.host, target.port, failure.code, failure.message));
  }
  if (res.destroyed) {
    socket.destroy();
    return;
  }
  relay(ctx, req, res, socket, target.authority, target.port, target.path);
}

/** Sends the request over `socket` and streams the answer back. */
function relay(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, socket: Socket, authority: string, port: number, path: string): void {
  const headers = filterHeaders(req.rawHeaders, REQUEST_DROP);
  headers.push("Host", authority, "Connection", "close");
  // A chunked request body stays chunked (llhttp already removed the client's framing).
  if (headerValue(req.rawHeaders, "transfer-encoding") !== undefined) headers.push("Transfer-Encoding", "chunked");
  const upstreamReq = http.request({
    createConnection: () => socket,
    method: req.method ?? "GET",
    path,
    headers,
    setHost: false,
  });
  // A socket from an upstream-proxy tunnel comes paused; the client parser is attached by now.
  upstreamReq.once("socket", (s) => s.resume());
  upstreamReq.setTimeout(ctx.limits.idleTimeoutMs, () => upstreamReq.destroy(new Error("idle timeout")));
  upstreamReq.on("response", (upstreamRes) => {
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, filterHeaders(upstreamRes.rawHeaders));
    upstreamRes.on("error", () => res.destroy());
    upstreamRes.pipe(res);
  });
  upstreamReq.on("error", (err: NodeJS.ErrnoException) => {
    if (!res.headersSent) send(res, upstreamErrorResponse(authority, port, err.code ?? "EUNKNOWN", `upstream request failed: ${err.code ?? err.message}`));
    else res.destroy();
  });
  // Whether finished or abandoned by the client, the upstream connection is done with.
  res.once("close", () => {
    if (!res.writableFinished) upstreamReq.destroy();
    socket.destroy();
  });
  req.on("error", () => upstreamReq.destroy());
  req.pipe(upstreamReq);
}

/** Writes one of the proxy's own answers, closing the client connection afterwards. */
function send(res: ServerResponse, r: RawResponse): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.shouldKeepAlive = false;
  res.writeHead(r.status, r.statusText, { ...r.headers, "content-length": Buffer.byteLength(r.body), connection: "close" });
  res.end(r.body);
}
