// Shared test fixtures: policies, a counting fake resolver, loopback servers and raw proxy clients
// (raw sockets, so every byte a test sends is exactly what it means to send).
import http from "node:http";
import net from "node:net";
import { compileNetwork, type NetworkPolicy } from "@cordon/policy-model";
import { startEgressProxy, type EgressProxy, type EgressProxyOptions, type ListenAddress } from "../src/index.js";

/** A NetworkPolicy compiled by policy-model from a `network` table as a user would write it. */
export function policy(table: Record<string, unknown>): NetworkPolicy {
  return compileNetwork({ enabled: true, ...table } as never, (keyPath) => ({ kind: "file", file: "/test/config.toml", line: keyPath.length }));
}

/** A resolver answering from a fixed map and counting every lookup (NET-05 evidence). */
export function fakeResolver(answers: Record<string, string[]>): { resolve: (host: string) => Promise<string[]>; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    resolve: async (host: string) => {
      calls.push(host);
      const a = answers[host];
      if (!a) throw Object.assign(new Error(`fake NXDOMAIN ${host}`), { code: "ENOTFOUND" });
      return a;
    },
  };
}

export interface TestServers {
  /** Echo server on 127.0.0.1 (also answers "PING\n" lines as-is) and on ::1. */
  readonly echo4: number;
  readonly echo6: number;
  /** HTTP server on 127.0.0.1 and ::1 answering a JSON description of each request. */
  readonly http4: number;
  readonly http6: number;
  /** Connections each server accepted, by name. */
  readonly accepted: Record<string, number>;
  /** Requests the HTTP servers saw (method, url, headers). */
  readonly requests: { method: string; url: string; headers: Record<string, string | string[] | undefined>; rawHeaders: string[]; body: string }[];
  close(): Promise<void>;
}

/** Starts echo and HTTP servers on 127.0.0.1 and ::1 (ephemeral ports). */
export async function startServers(): Promise<TestServers> {
  const accepted: Record<string, number> = { echo4: 0, echo6: 0, http4: 0, http6: 0 };
  const requests: TestServers["requests"] = [];
  const sockets = new Set<net.Socket>();
  const track = (name: string) => (s: net.Socket) => {
    accepted[name] = (accepted[name] ?? 0) + 1;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };
  const makeEcho = (name: string): net.Server =>
    net.createServer({ allowHalfOpen: true }, (s) => {
      track(name)(s);
      s.on("error", () => s.destroy());
      s.pipe(s);
    });
  const makeHttp = (name: string): http.Server => {
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders, body });
        const text = JSON.stringify({ server: name, method: req.method, url: req.url, host: req.headers.host, body });
        res.writeHead(200, { "content-type": "application/json", connection: "keep-alive", "keep-alive": "timeout=5", "proxy-agent": "leak" });
        res.end(text);
      });
    });
    server.on("connection", track(name));
    return server;
  };
  const servers: net.Server[] = [makeEcho("echo4"), makeEcho("echo6"), makeHttp("http4"), makeHttp("http6")];
  const hosts = ["127.0.0.1", "::1", "127.0.0.1", "::1"];
  const ports = await Promise.all(
    servers.map(
      (s, i) =>
        new Promise<number>((resolve) => s.listen({ host: hosts[i], port: 0 }, () => resolve((s.address() as net.AddressInfo).port))),
    ),
  );
  return {
    echo4: ports[0] as number,
    echo6: ports[1] as number,
    http4: ports[2] as number,
    http6: ports[3] as number,
    accepted,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

/** Starts a proxy on 127.0.0.1:0 with the given policy table and options. */
export async function proxyFor(table: Record<string, unknown>, options: Partial<EgressProxyOptions> = {}): Promise<EgressProxy> {
  return startEgressProxy({ network: policy(table), listen: { host: "127.0.0.1", port: 0 }, ...options });
}

/** Opens a raw TCP/unix connection to a proxy endpoint. */
export function dial(address: ListenAddress, options: { allowHalfOpen?: boolean } = {}): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const allowHalfOpen = options.allowHalfOpen ?? false;
    const s =
      "unixSocket" in address
        ? net.connect({ path: address.unixSocket, allowHalfOpen })
        : net.connect({ host: address.host, port: address.port, allowHalfOpen });
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

/** Reads from `s` until `predicate(buffer)` is true, the socket ends, or the timeout passes. */
export function readUntil(s: net.Socket, predicate: (b: Buffer) => boolean, timeoutMs = 5000): Promise<{ data: Buffer; ended: boolean }> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    let done = false;
    const finish = (ended: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.off("data", onData);
      s.off("end", onEnd);
      s.off("close", onEnd);
      s.off("error", onEnd);
      resolve({ data, ended });
    };
    const onData = (c: Buffer): void => {
      data = Buffer.concat([data, c]);
      if (predicate(data)) finish(false);
    };
    const onEnd = (): void => finish(true);
    const timer = setTimeout(() => finish(false), timeoutMs);
    s.on("data", onData);
    s.once("end", onEnd);
    s.once("close", onEnd);
    s.once("error", onEnd);
    if (predicate(data)) finish(false);
  });
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly raw: string;
}

/** Parses one HTTP/1.1 response head + body (Content-Length or until close). */
export function parseAnswer(data: Buffer): HttpAnswer | null {
  const text = data.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "");
  if (!m) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = headers["content-length"] === undefined ? undefined : Number(headers["content-length"]);
  const body = text.slice(end + 4);
  if (headers["transfer-encoding"] === "chunked") {
    const decoded = dechunk(body);
    return decoded === null ? null : { status: Number(m[1]), headers, body: decoded, raw: text };
  }
  if (length !== undefined && Buffer.byteLength(body, "latin1") < length) return null;
  return { status: Number(m[1]), headers, body: length === undefined ? body : body.slice(0, length), raw: text };
}

/** Decodes a complete chunked body, or null while incomplete. */
function dechunk(text: string): string | null {
  let out = "";
  let rest = text;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    if (eol < 0) return null;
    const size = parseInt(rest.slice(0, eol), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) return out;
    if (rest.length < eol + 2 + size + 2) return null;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** Sends raw bytes on a fresh connection and returns the parsed answer (null if none). */
export async function rawExchange(proxy: ListenAddress, request: string | Buffer, timeoutMs = 5000): Promise<{ answer: HttpAnswer | null; socket: net.Socket; ended: boolean }> {
  const s = await dial(proxy);
  s.on("error", () => undefined);
  s.write(request);
  const { data, ended } = await readUntil(s, (b) => parseAnswer(b) !== null, timeoutMs);
  return { answer: parseAnswer(data), socket: s, ended };
}

/** CONNECT through the proxy; on 200 the socket is a tunnel. */
export async function connectVia(
  proxy: ListenAddress,
  target: string,
  extraHeaders = `Host: ${target}\r\n`,
  options: { allowHalfOpen?: boolean } = {},
): Promise<{ answer: HttpAnswer | null; socket: net.Socket }> {
  const s = await dial(proxy, options);
  s.on("error", () => undefined);
  s.write(`CONNECT ${target} HTTP/1.1\r\n${extraHeaders}\r\n`);
  const isTunnel = (b: Buffer): boolean => /^HTTP\/1\.[01] 200/.test(b.toString("latin1")) && b.includes("\r\n\r\n");
  const { data } = await readUntil(s, (b) => isTunnel(b) || parseAnswer(b) !== null);
  if (!isTunnel(data)) return { answer: parseAnswer(data), socket: s };
  const headLen = data.indexOf("\r\n\r\n") + 4;
  const rest = data.subarray(headLen);
  if (rest.length > 0) s.unshift(rest);
  return { answer: parseAnswer(data.subarray(0, headLen)), socket: s };
}

/** Sends `line` through an open tunnel to an echo server and returns what came back. */
export async function echoThrough(s: net.Socket, line: string): Promise<string> {
  s.write(line);
  const { data } = await readUntil(s, (b) => b.length >= Buffer.byteLength(line));
  return data.toString();
}

/** A plain-HTTP request through the proxy: `GET http://authority/path`. */
export async function httpGetVia(proxy: ListenAddress, url: string, hostHeader: string | null, extra = ""): Promise<HttpAnswer | null> {
  const host = hostHeader === null ? "" : `Host: ${hostHeader}\r\n`;
  const { answer, socket } = await rawExchange(proxy, `GET ${url} HTTP/1.1\r\n${host}Connection: close\r\n${extra}\r\n`);
  socket.destroy();
  return answer;
}

export interface SocksResult {
  readonly method: number | undefined;
  readonly reply: number | undefined;
  readonly socket: net.Socket;
  readonly replyBytes: Buffer;
}

/** SOCKS5 no-auth greeting + one request (address already encoded as ATYP|ADDR|PORT). */
export async function socksRequest(proxy: ListenAddress, command: number, address: Buffer): Promise<SocksResult> {
  const s = await dial(proxy);
  s.on("error", () => undefined);
  s.write(Buffer.from([5, 1, 0]));
  const greet = await readUntil(s, (b) => b.length >= 2);
  if (greet.data[1] !== 0) return { method: greet.data[1], reply: undefined, socket: s, replyBytes: greet.data };
  s.write(Buffer.concat([Buffer.from([5, command, 0]), address]));
  const rep = await readUntil(s, (b) => b.length >= 10);
  const extra = rep.data.subarray(socksReplyLength(rep.data));
  if (extra.length > 0) s.unshift(extra);
  return { method: 0, reply: rep.data[1], socket: s, replyBytes: rep.data };
}

function socksReplyLength(b: Buffer): number {
  if (b[3] === 4) return 22;
  if (b[3] === 3) return 7 + (b[4] ?? 0);
  return 10;
}

/** SOCKS5 address bytes. */
export function socksAddr(kind: "ipv4" | "ipv6" | "domain", host: string, port: number): Buffer {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(port);
  if (kind === "ipv4") return Buffer.concat([Buffer.from([1]), Buffer.from(host.split(".").map(Number)), p]);
  if (kind === "domain") return Buffer.concat([Buffer.from([3, Buffer.byteLength(host)]), Buffer.from(host, "latin1"), p]);
  const full = expandV6(host);
  return Buffer.concat([Buffer.from([4]), full, p]);
}

function expandV6(ip: string): Buffer {
  const [h, t] = ip.includes("::") ? (ip.split("::") as [string, string]) : [ip, ""];
  const hs = h === "" ? [] : h.split(":");
  const ts = t === "" ? [] : t.split(":");
  const groups = [...hs, ...new Array(8 - hs.length - ts.length).fill("0"), ...ts];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** Waits until `predicate()` holds (polling), or fails after `ms`. */
export async function eventually(predicate: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Counts of live TCP handles in this process (for leak checks). */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "PipeWrap" || r === "UDPWrap").length;
}
