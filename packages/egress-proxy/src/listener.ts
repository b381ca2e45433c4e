// Opens one proxy endpoint privately: a unix socket (mode 0600, in a directory only this user can
// enter — checked, not assumed) or a loopback TCP port. Never a routable interface (NET-20).
import { SOCKET_BUFFER_BYTES } from "./limits.js";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { EgressProxyError } from "./errors.js";
import type { ListenAddress } from "./types.js";

export interface OpenListener {
  readonly server: net.Server;
  /** The bound address (the real port when 0 was asked). */
  readonly address: ListenAddress;
}

/** Validates the shape of a ListenAddress (callers may pass plain JSON). */
export function validateListenAddress(name: string, value: unknown): ListenAddress {
  const v = value as Record<string, unknown> | null;
  if (v && typeof v === "object" && typeof v.unixSocket === "string" && Object.keys(v).length === 1) {
    if (!path.isAbsolute(v.unixSocket)) throw new EgressProxyError("E_PROXY_OPTIONS", `${name}.unixSocket must be an absolute path`);
    // Linux sun_path holds 108 bytes including the terminating NUL.
    if (Buffer.byteLength(v.unixSocket) > 107) throw new EgressProxyError("E_PROXY_OPTIONS", `${name}.unixSocket is longer than 107 bytes`);
    return { unixSocket: v.unixSocket };
  }
  if (v && typeof v === "object" && (v.host === "127.0.0.1" || v.host === "::1") && Object.keys(v).length === 2) {
    const port = v.port;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw new EgressProxyError("E_PROXY_OPTIONS", `${name}.port must be an integer 0-65535`);
    }
    return { host: v.host, port };
  }
  throw new EgressProxyError("E_PROXY_OPTIONS", `${name} must be { unixSocket: "/abs/path" } or { host: "127.0.0.1" | "::1", port }`);
}

/** Refuses a socket directory that another user could enter or that is not a real directory. */
function checkPrivateDirectory(socketPath: string): void {
  const dir = path.dirname(socketPath);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (err) {
    throw new EgressProxyError("E_PROXY_LISTEN", `cannot use socket directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (!st.isDirectory()) throw new EgressProxyError("E_PROXY_LISTEN", `socket directory ${dir} is not a directory (or is a symlink)`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new EgressProxyError("E_PROXY_LISTEN", `socket directory ${dir} is owned by uid ${st.uid}, not by this user (${uid})`);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new EgressProxyError("E_PROXY_LISTEN",
      `socket directory ${dir} has mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}; it must be private to this user (0700)`);
  }
}

/** Listens on `address`; each accepted socket goes to `onConnection` (paused, allowHalfOpen). */
export async function openListener(address: ListenAddress, maxConnections: number, onConnection: (socket: net.Socket) => void): Promise<OpenListener> {
  if ("unixSocket" in address) checkPrivateDirectory(address.unixSocket);
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true, highWaterMark: SOCKET_BUFFER_BYTES }, onConnection);
  server.maxConnections = maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(new EgressProxyError("E_PROXY_LISTEN", `cannot listen on ${describe(address)}: ${err.code ?? err.message}`, { cause: err }));
    });
    if ("unixSocket" in address) server.listen({ path: address.unixSocket, exclusive: true }, resolve);
    else server.listen({ host: address.host, port: address.port, exclusive: true, ipv6Only: address.host === "::1" }, resolve);
  });
  server.on("error", () => undefined); // after listening, errors are per-connection
  if ("unixSocket" in address) {
    fs.chmodSync(address.unixSocket, 0o600);
    return { server, address };
  }
  const bound = server.address() as net.AddressInfo;
  return { server, address: { host: address.host, port: bound.port } };
}

/** `unix:/path` or `127.0.0.1:port` / `[::1]:port`. */
export function describe(address: ListenAddress): string {
  if ("unixSocket" in address) return `unix:${address.unixSocket}`;
  return address.host === "::1" ? `[::1]:${address.port}` : `${address.host}:${address.port}`;
}
