// Opens the upstream TCP connection to one of the checked IP addresses, in order, never by name:
// the lookup hook refuses, so no second DNS query can happen (DNS rebinding, NET-11).
import { SOCKET_BUFFER_BYTES } from "./limits.js";
import net from "node:net";
import type { SocketRegistry } from "./socket-registry.js";

/** Why no upstream connection could be made (mapped to 502/504 and SOCKS5 reply codes). */
export class ConnectFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ConnectFailure";
  }
}

/**
 * Connects to `addresses[0]:port`, then the next address on failure. Resolves with a connected
 * socket (allowHalfOpen, registered); rejects with ConnectFailure naming the last error.
 */
export async function connectToAddresses(
  addresses: readonly string[],
  port: number,
  timeoutMs: number,
  registry: SocketRegistry,
): Promise<net.Socket> {
  let last: ConnectFailure | undefined; // built lazily: an Error captures a stack trace
  for (const address of addresses) {
    try {
      return await connectOne(address, port, timeoutMs, registry);
    } catch (err) {
      last = err instanceof ConnectFailure ? err : new ConnectFailure("EUNKNOWN", String(err));
      if (registry.closed) break;
    }
  }
  throw last ?? new ConnectFailure("ENOADDR", "no address to connect to");
}

/** net.connect options plus the stream buffer sizes (passed through to the Duplex; not in @types/node). */
export type BufferedConnectOpts = net.TcpNetConnectOpts & { readableHighWaterMark: number; writableHighWaterMark: number };

/** The `lookup` hook of every upstream socket: addresses are literals, so it must never run. */
function refuseLookup(hostname: string, _options: unknown, callback: (err: Error) => void): void {
  callback(Object.assign(new Error(`refusing a second DNS lookup of ${hostname}`), { code: "ENOTFOUND" }));
}

function connectOne(address: string, port: number, timeoutMs: number, registry: SocketRegistry): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    if (net.isIP(address) === 0) {
      reject(new ConnectFailure("EINVAL", `${address} is not an IP address`));
      return;
    }
    const options: BufferedConnectOpts = {
      host: address,
      port,
      allowHalfOpen: true,
      noDelay: true,
      lookup: refuseLookup as never,
      readableHighWaterMark: SOCKET_BUFFER_BYTES,
      writableHighWaterMark: SOCKET_BUFFER_BYTES,
    };
    const socket = net.connect(options);
    if (!registry.add(socket)) {
      reject(new ConnectFailure("ECLOSED", "the proxy is closing"));
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectFailure("ETIMEDOUT", `connecting to ${address} port ${port} timed out`));
    }, timeoutMs);
    const onError = (err: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ConnectFailure(err.code ?? "EUNKNOWN", `connecting to ${address} port ${port} failed: ${err.code ?? err.message}`));
    };
    const onClose = (): void => {
      clearTimeout(timer);
      reject(new ConnectFailure("ECLOSED", `connection to ${address} port ${port} closed before it was established`));
    };
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      socket.off("close", onClose);
      // Errors after this point are handled by the tunnel or the forwarder; never unhandled.
      socket.on("error", () => socket.destroy());
      resolve(socket);
    });
  });
}
