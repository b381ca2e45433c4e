// Chaining through the host's own HTTP proxy (allow_upstream_proxy): parse its URL, open CONNECT
// tunnels through it. The target sent upstream is the IP address this proxy checked, not the name,
// so the upstream cannot resolve the name to a different (e.g. private) address.
import { SOCKET_BUFFER_BYTES } from "./limits.js";
import net from "node:net";
import { ConnectFailure, type BufferedConnectOpts } from "./connect.js";
import { EgressProxyError } from "./errors.js";
import type { SocketRegistry } from "./socket-registry.js";

/** A parsed upstream proxy: where it is and the Proxy-Authorization value, if any. */
export interface UpstreamProxy {
  readonly host: string;
  readonly port: number;
  readonly authorization: string | undefined;
}

const MAX_RESPONSE_HEAD = 16 * 1024;

/** Parses `http://[user:pass@]host:port[/]`; throws E_PROXY_OPTIONS for anything else. */
export function parseUpstreamProxy(text: string): UpstreamProxy {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EgressProxyError("E_PROXY_OPTIONS", `upstreamProxy: ${JSON.stringify(redact(text))} is not a URL`);
  }
  if (url.protocol !== "http:") {
    throw new EgressProxyError("E_PROXY_OPTIONS", `upstreamProxy: only http:// upstream proxies are supported, got ${url.protocol}//`);
  }
  if (url.port === "") throw new EgressProxyError("E_PROXY_OPTIONS", "upstreamProxy: the URL must name a port (http://host:port)");
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    throw new EgressProxyError("E_PROXY_OPTIONS", "upstreamProxy: the URL must not have a path, query or fragment");
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const authorization =
    url.username === "" && url.password === ""
      ? undefined
      : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
  return { host, port: Number(url.port), authorization };
}

/** `host:port` for a request line: IPv6 literals in brackets. */
export function formatHostPort(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Opens a tunnel to `address:port` through the upstream proxy with CONNECT. Resolves with the
 * socket positioned after the upstream's 2xx response head.
 */
export function connectViaUpstream(
  upstream: UpstreamProxy,
  address: string,
  port: number,
  timeoutMs: number,
  registry: SocketRegistry,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const options: BufferedConnectOpts = {
      host: upstream.host,
      port: upstream.port,
      allowHalfOpen: true,
      noDelay: true,
      readableHighWaterMark: SOCKET_BUFFER_BYTES,
      writableHighWaterMark: SOCKET_BUFFER_BYTES,
    };
    const socket = net.connect(options);
    if (!registry.add(socket)) {
      reject(new ConnectFailure("ECLOSED", "the proxy is closing"));
      return;
    }
    let settled = false;
    let head = Buffer.alloc(0);
    const fail = (code: string, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new ConnectFailure(code, message));
    };
    const timer = setTimeout(() => fail("ETIMEDOUT", `upstream proxy ${upstream.host}:${upstream.port} did not answer in time`), timeoutMs);
    const onError = (err: NodeJS.ErrnoException): void =>
      fail(err.code ?? "EUNKNOWN", `upstream proxy ${upstream.host}:${upstream.port}: ${err.code ?? err.message}`);
    const onClose = (): void => fail("ECLOSED", `upstream proxy ${upstream.host}:${upstream.port} closed the connection`);
    socket.on("error", onError);
    socket.on("close", onClose);
    socket.once("connect", () => {
      const target = formatHostPort(address, port);
      const auth = upstream.authorization ? `Proxy-Authorization: ${upstream.authorization}\r\n` : "";
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
    });
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > MAX_RESPONSE_HEAD) fail("EPROTO", "upstream proxy response head too large");
        return;
      }
      socket.off("data", onData);
      socket.pause();
      const status = /^HTTP\/1\.[01] ([0-9]{3})/.exec(head.subarray(0, end).toString("latin1"));
      if (!status || !(status[1] as string).startsWith("2")) {
        fail("EUPSTREAM", `upstream proxy refused CONNECT ${formatHostPort(address, port)}: ${status ? status[1] : "malformed response"}`);
        return;
      }
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      settled = true;
      clearTimeout(timer);
      socket.off("close", onClose);
      socket.off("error", onError);
      socket.on("error", () => socket.destroy());
      resolve(socket);
    };
    socket.on("data", onData);
  });
}

/** The URL text with any password replaced, for error messages. */
function redact(text: string): string {
  return text.replace(/\/\/([^/@]*)@/, "//***@");
}
