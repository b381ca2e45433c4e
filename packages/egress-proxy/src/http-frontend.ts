// The HTTP side of the proxy: node's llhttp parser (strict: no CL+TE smuggling, no bare CR, header
// size limit → 431) on sockets the listener hands over, routing CONNECT and plain requests, and
// answering parser errors, upgrades and slow request heads itself.
import http from "node:http";
import type { Socket } from "node:net";
import type { ProxyContext } from "./context.js";
import { HeadDeadlines } from "./head-timeout.js";
import { handleConnect } from "./http-connect.js";
import { handleForward } from "./http-forward.js";
import { endAndDestroy, serializeResponse, statusResponse } from "./responses.js";

export interface HttpFrontend {
  /** Serves HTTP on an accepted socket (its first bytes may already be unshifted back). */
  accept(socket: Socket): void;
}

export function createHttpFrontend(ctx: ProxyContext): HttpFrontend {
  const server = http.createServer({
    maxHeaderSize: ctx.limits.maxHeaderBytes,
    requireHostHeader: false, // checked by the handlers: absent is fine, mismatched is not
    joinDuplicateHeaders: false,
    insecureHTTPParser: false,
    requestTimeout: 0, // bodies are bounded by the idle timeout instead
    keepAliveTimeout: Math.min(5000, ctx.limits.headersTimeoutMs),
    noDelay: true,
  });
  server.timeout = ctx.limits.idleTimeoutMs;

  const reply = (socket: Socket, status: number, text: string, message: string): void => {
    endAndDestroy(socket, serializeResponse(statusResponse(status, text, message)));
  };
  const deadlines = new HeadDeadlines(ctx.limits.headersTimeoutMs, (socket) => {
    reply(socket, 408, "Request Timeout", "the request head was not received in time");
  });

  server.on("request", (req, res) => {
    deadlines.requestStarted(req.socket);
    res.once("close", () => deadlines.requestEnded(req.socket));
    handleForward(ctx, req, res).catch(() => res.destroy());
  });
  server.on("connect", (req, socket: Socket, head: Buffer) => {
    deadlines.stop(socket);
    handleConnect(ctx, req, socket, head).catch(() => socket.destroy());
  });
  server.on("upgrade", (_req, socket: Socket) => {
    deadlines.stop(socket);
    reply(socket, 501, "Not Implemented", "protocol upgrades over plain HTTP forwarding are not supported; use CONNECT");
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    deadlines.stop(socket);
    if (socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    if (err.code === "HPE_HEADER_OVERFLOW") reply(socket, 431, "Request Header Fields Too Large", "request line and headers exceed the size limit");
    else if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") reply(socket, 408, "Request Timeout", "the request was not received in time");
    else reply(socket, 400, "Bad Request", `malformed request (${err.code ?? "parse error"})`);
  });

  return {
    accept(socket: Socket): void {
      deadlines.start(socket);
      server.emit("connection", socket);
      socket.resume();
    },
  };
}
