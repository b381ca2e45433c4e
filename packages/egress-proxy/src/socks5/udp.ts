// SOCKS5 UDP ASSOCIATE (only with enable_socks5_udp): a relay socket on the loopback address the
// client used, accepting datagrams only from the client's address (and the first port it uses),
// deciding each destination like a CONNECT (cached per association) and sending to a checked
// address; replies are passed back only from destinations the client has sent to.
import dgram from "node:dgram";
import type { Socket } from "node:net";
import { checkTarget, type CheckOutcome } from "../check-target.js";
import type { ProxyContext } from "../context.js";
import { endAndDestroy } from "../responses.js";
import { REP, encodeReply, encodeUdpDatagram, parseUdpDatagram, type SocksAddress } from "./protocol.js";

const MAX_TARGETS = 256;
const MAX_PEERS = 1024;

/** Runs one association until the control connection closes or stays idle. */
export async function startUdpAssociation(ctx: ProxyContext, control: Socket, requested: SocksAddress): Promise<void> {
  const clientIp = normalizeMapped(control.remoteAddress ?? "");
  const localIp = control.localAddress ?? "127.0.0.1";
  const relay = dgram.createSocket(localIp.includes(":") ? "udp6" : "udp4");
  const outbound = new Map<4 | 6, dgram.Socket>();
  if (!ctx.registry.add(relay)) return;
  const targets = new Map<string, Promise<CheckOutcome>>();
  const peers = new Set<string>();
  let clientPort = requested.port === 0 ? undefined : requested.port;

  const closeAll = (): void => {
    control.destroy();
    for (const s of [relay, ...outbound.values()]) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  };
  control.on("error", closeAll);
  control.once("close", closeAll);
  relay.on("error", closeAll);

  let lastActivity = Date.now();
  const idle = setInterval(() => {
    if (Date.now() - lastActivity > ctx.limits.idleTimeoutMs) closeAll();
  }, Math.min(ctx.limits.idleTimeoutMs, 10_000));
  idle.unref();
  control.once("close", () => clearInterval(idle));

  const outboundFor = (family: 4 | 6): dgram.Socket | undefined => {
    let s = outbound.get(family);
    if (s) return s;
    s = dgram.createSocket(family === 4 ? "udp4" : "udp6");
    if (!ctx.registry.add(s)) return undefined;
    s.on("error", () => undefined);
    s.on("message", (msg, rinfo) => {
      const from = normalizeMapped(rinfo.address);
      if (clientPort === undefined || !peers.has(`${from}|${rinfo.port}`)) return;
      lastActivity = Date.now();
      try {
        relay.send(encodeUdpDatagram(from, rinfo.port, msg), clientPort, clientIp);
      } catch {
        // the association is closing
      }
    });
    outbound.set(family, s);
    return s;
  };

  relay.on("message", (msg, rinfo) => {
    if (normalizeMapped(rinfo.address) !== clientIp) return;
    if (clientPort === undefined) clientPort = rinfo.port;
    if (rinfo.port !== clientPort) return;
    const datagram = parseUdpDatagram(msg);
    if (!datagram || datagram.frag !== 0 || datagram.address.port === 0) return; // fragments are not supported: drop
    lastActivity = Date.now();
    const key = `${datagram.address.host}|${datagram.address.port}`;
    let decision = targets.get(key);
    if (!decision) {
      if (targets.size >= MAX_TARGETS) targets.delete(targets.keys().next().value as string);
      decision = checkTarget(ctx, "socks5-udp", datagram.address.host, datagram.address.port);
      targets.set(key, decision);
    }
    decision
      .then((outcome) => {
        if (outcome.kind !== "allow" || control.destroyed) return;
        const address = outcome.addresses[0] as string;
        const socket = outboundFor(address.includes(":") ? 6 : 4);
        if (!socket) return;
        if (peers.size >= MAX_PEERS) peers.clear();
        peers.add(`${address}|${outcome.port}`);
        socket.send(datagram.data, outcome.port, address);
      })
      .catch(() => undefined);
  });

  await new Promise<void>((resolve) => {
    relay.once("listening", resolve);
    relay.once("error", resolve);
    relay.bind({ address: localIp, port: 0 });
  });
  if (control.destroyed) return closeAll();
  let bound: { address: string; port: number };
  try {
    const a = relay.address();
    bound = { address: a.address, port: a.port };
  } catch {
    return endAndDestroy(control, encodeReply(REP.generalFailure));
  }
  control.write(encodeReply(REP.succeeded, bound));
  // The control connection carries nothing more; read and drop so a close is noticed.
  control.resume();
}

/** `::ffff:127.0.0.1` → `127.0.0.1`, so v4 clients on dual-stack sockets compare equal. */
function normalizeMapped(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}
