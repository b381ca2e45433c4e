// One SOCKS5 client connection: no-auth greeting, one request, then a CONNECT tunnel to a checked
// address, a UDP association (only with enable_socks5_udp), or a refusal with the RFC 1928 code.
import type { Socket } from "node:net";
import { checkTarget, recordRefusal } from "../check-target.js";
import { ConnectFailure } from "../connect.js";
import { openTunnel, type ProxyContext } from "../context.js";
import { endAndDestroy } from "../responses.js";
import { spliceSockets } from "../tunnel.js";
import {
  AUTH_NO_ACCEPTABLE,
  AUTH_NONE,
  CMD_CONNECT,
  CMD_UDP_ASSOCIATE,
  REP,
  SOCKS_VERSION,
  encodeReply,
  parseGreeting,
  parseRequest,
  type SocksAddress,
} from "./protocol.js";
import { startUdpAssociation } from "./udp.js";

/** Whether UDP ASSOCIATE can be tied to the client (only for TCP listeners; see udp.ts). */
export interface SocksConnectionInfo {
  readonly overUnixSocket: boolean;
}

/** Serves one SOCKS5 connection (the first byte, 0x05, is still unread). */
export function handleSocksConnection(ctx: ProxyContext, socket: Socket, info: SocksConnectionInfo): void {
  let buffered: Buffer = Buffer.alloc(0);
  let stage: "greeting" | "request" = "greeting";
  const deadline = setTimeout(() => socket.destroy(), ctx.limits.headersTimeoutMs);
  socket.once("close", () => clearTimeout(deadline));
  socket.on("error", () => socket.destroy());

  // A client that half-closes before finishing its request will never finish it. Once the request
  // is complete, end-of-input belongs to the tunnel (half-close is passed on).
  const onEnd = (): void => {
    socket.destroy();
  };
  const refuse = (reply: number): void => {
    clearTimeout(deadline);
    socket.off("data", onData);
    endAndDestroy(socket, encodeReply(reply));
  };

  const onData = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    if (stage === "greeting") {
      const greeting = parseGreeting(buffered);
      if (greeting.kind === "more") return;
      if (greeting.kind === "bad" || !greeting.methods.includes(AUTH_NONE)) {
        clearTimeout(deadline);
        socket.off("data", onData);
        endAndDestroy(socket, Buffer.from([SOCKS_VERSION, AUTH_NO_ACCEPTABLE]));
        return;
      }
      socket.write(Buffer.from([SOCKS_VERSION, AUTH_NONE]));
      buffered = buffered.subarray(greeting.consumed);
      stage = "request";
    }
    const request = parseRequest(buffered);
    if (request.kind === "more") return;
    if (request.kind === "bad") {
      if (request.reply === REP.notAllowedByRuleset) recordRefusal(ctx.log, "socks5", "", null, "invalid_host", request.detail);
      return refuse(request.reply);
    }
    clearTimeout(deadline);
    socket.off("data", onData);
    socket.off("end", onEnd);
    socket.pause();
    const early = buffered.subarray(request.consumed);
    buffered = Buffer.alloc(0);
    void dispatch(ctx, socket, info, request.command, request.address, early).catch(() => socket.destroy());
  };
  socket.on("data", onData);
  socket.once("end", onEnd);
  socket.resume();
}

async function dispatch(
  ctx: ProxyContext,
  socket: Socket,
  info: SocksConnectionInfo,
  command: number,
  address: SocksAddress,
  early: Buffer,
): Promise<void> {
  if (command === CMD_UDP_ASSOCIATE) {
    if (!ctx.network.enableSocks5Udp) {
      recordRefusal(ctx.log, "socks5-udp", address.host, address.port, "command_not_supported", "UDP ASSOCIATE is off (network.enable_socks5_udp = false)");
      return endAndDestroy(socket, encodeReply(REP.commandNotSupported));
    }
    if (info.overUnixSocket) {
      recordRefusal(ctx.log, "socks5-udp", address.host, address.port, "command_not_supported",
        "UDP ASSOCIATE needs a TCP listener: over a unix socket the relay could not tell the client's datagrams from anyone else's");
      return endAndDestroy(socket, encodeReply(REP.commandNotSupported));
    }
    return startUdpAssociation(ctx, socket, address);
  }
  if (command !== CMD_CONNECT) {
    recordRefusal(ctx.log, "socks5", address.host, address.port, "command_not_supported", `SOCKS5 command ${command} is not supported (only CONNECT${ctx.network.enableSocks5Udp ? " and UDP ASSOCIATE" : ""})`);
    return endAndDestroy(socket, encodeReply(REP.commandNotSupported));
  }
  if (address.port === 0) {
    recordRefusal(ctx.log, "socks5", address.host, 0, "invalid_request", "port 0 is not a valid destination");
    return endAndDestroy(socket, encodeReply(REP.notAllowedByRuleset));
  }
  const outcome = await checkTarget(ctx, "socks5", address.host, address.port);
  if (socket.destroyed) return;
  if (outcome.kind === "deny") return endAndDestroy(socket, encodeReply(REP.notAllowedByRuleset));
  if (outcome.kind === "unresolved") return endAndDestroy(socket, encodeReply(REP.hostUnreachable));
  let upstream: Socket;
  try {
    upstream = await openTunnel(ctx, outcome.addresses, address.port);
  } catch (err) {
    return endAndDestroy(socket, encodeReply(replyFor(err)));
  }
  if (socket.destroyed) {
    upstream.destroy();
    return;
  }
  socket.write(encodeReply(REP.succeeded));
  if (early.length > 0) upstream.write(early);
  spliceSockets(socket, upstream, ctx.limits.idleTimeoutMs);
}

/** RFC 1928 reply code for a failed upstream connection. */
function replyFor(err: unknown): number {
  const code = err instanceof ConnectFailure ? err.code : "";
  switch (code) {
    case "ECONNREFUSED":
      return REP.connectionRefused;
    case "ENETUNREACH":
      return REP.networkUnreachable;
    case "EHOSTUNREACH":
    case "ETIMEDOUT":
      return REP.hostUnreachable;
    default:
      return REP.generalFailure;
  }
}
