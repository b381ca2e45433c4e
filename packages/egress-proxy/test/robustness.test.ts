// NET-21 and faults: malformed and oversized requests, slow-loris, idle timeouts, resets,
// half-close in both directions, back-pressure, 200 concurrent tunnels, fuzzed bytes, and no
// leaked sockets (the proxy's own count and the process's TCP handles).
import fc from "fast-check";
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EgressProxy } from "../src/index.js";
import {
  connectVia,
  dial,
  echoThrough,
  eventually,
  proxyFor,
  rawExchange,
  readUntil,
  socksAddr,
  startServers,
  tcpHandles,
  type TestServers,
} from "./helpers.js";

let servers: TestServers;
let proxy: EgressProxy | undefined;
beforeAll(async () => {
  servers = await startServers();
});
afterAll(async () => {
  await servers.close();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const allowLoopback = { domains: { "127.0.0.1": "allow", "::1": "allow" } };

/** Starts a one-off TCP server; `onSocket` decides what the "target" does. */
async function targetServer(onSocket: (s: net.Socket) => void): Promise<{ port: number; sockets: Set<net.Socket>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
    onSocket(s);
  });
  const port = await new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)));
  return {
    port,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A target that reads and discards, and closes when the proxy side closes. */
function closeWhenPeerCloses(s: net.Socket): void {
  s.resume();
  s.on("end", () => s.end());
}

async function expectProxyAlive(): Promise<void> {
  const { answer, socket } = await connectVia(proxy!.http, `127.0.0.1:${servers.echo4}`);
  expect(answer?.status).toBe(200);
  expect(await echoThrough(socket, "alive\n")).toBe("alive\n");
  socket.destroy();
}

describe("NET-21: malformed and oversized requests", () => {
  const cases: [string, string, number][] = [
    ["CONNECT line over 64 KiB", `CONNECT ${"a".repeat(70_000)}.example:443 HTTP/1.1\r\n\r\n`, 431],
    ["headers over the limit", `GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`, 431],
    ["CONNECT without a port", "CONNECT 127.0.0.1 HTTP/1.1\r\n\r\n", 400],
    ["CONNECT port 0", "CONNECT 127.0.0.1:0 HTTP/1.1\r\n\r\n", 400],
    ["CONNECT port 65536", "CONNECT 127.0.0.1:65536 HTTP/1.1\r\n\r\n", 400],
    ["CONNECT port with sign", "CONNECT 127.0.0.1:+80 HTTP/1.1\r\n\r\n", 400],
    ["CR-only line endings", "GET http://127.0.0.1/ HTTP/1.1\rHost: 127.0.0.1\r\r", 400],
    ["obsolete header folding", "GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n  folded\r\n\r\n", 400],
    ["Content-Length with Transfer-Encoding (smuggling)", "POST http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400],
    ["two Content-Length values", "POST http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400],
    ["TLS ClientHello sent to the HTTP port", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400],
    ["not HTTP at all", "hello there\r\n\r\n", 400],
  ];
  for (const [name, request, status] of cases) {
    it(`${name} → ${status}, and the proxy keeps serving`, async () => {
      proxy = await proxyFor(allowLoopback);
      const before = servers.requests.length;
      const { answer, socket } = await rawExchange(proxy.http, Buffer.from(request, "latin1"));
      socket.destroy();
      expect(answer?.status).toBe(status);
      expect(servers.requests.length).toBe(before);
      await expectProxyAlive();
    });
  }

  it("unsupported Transfer-Encoding on a forwarded request → 400", async () => {
    proxy = await proxyFor(allowLoopback);
    const t = `127.0.0.1:${servers.http4}`;
    const { answer, socket } = await rawExchange(proxy.http, `POST http://${t}/ HTTP/1.1\r\nHost: ${t}\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`);
    socket.destroy();
    expect(answer?.status).toBe(400);
  });

  it("SOCKS5 edge cases: empty domain, 255-byte domain, non-ASCII domain, bad version, non-zero RSV", async () => {
    proxy = await proxyFor({ domains: { "*": "allow", "127.0.0.1": "allow" } });
    const requests: [string, Buffer, number | "closed"][] = [
      ["empty domain", Buffer.from([5, 1, 0, 3, 0, 0, 80]), 0x02],
      ["255-byte domain", socksAddrRequest(socksAddr("domain", `${"a".repeat(63)}.`.repeat(4).slice(0, 255), 80)), 0x02],
      ["8-bit domain", socksAddrRequest(Buffer.from([3, 4, 0x65, 0xe9, 0x78, 0x2e, 0, 80])), 0x02],
      ["NUL in domain", socksAddrRequest(Buffer.from([3, 5, 0x61, 0x00, 0x2e, 0x63, 0x6f, 0, 80])), 0x02],
      ["colon in domain", socksAddrRequest(socksAddr("domain", "evil.example:80", 80)), 0x02],
      ["version 4 request after v5 greeting", Buffer.from([4, 1, 0, 1, 127, 0, 0, 1, 0, 80]), 0x01],
      ["non-zero reserved byte", Buffer.from([5, 1, 7, 1, 127, 0, 0, 1, 0, 80]), 0x01],
      ["port 0", socksAddrRequest(socksAddr("ipv4", "127.0.0.1", 0)), 0x02],
    ];
    for (const [name, request, expected] of requests) {
      const s = await dial(proxy.http);
      s.on("error", () => undefined);
      s.write(Buffer.from([5, 1, 0]));
      await readUntil(s, (b) => b.length >= 2);
      s.write(request);
      const { data, ended } = await readUntil(s, () => false, 3000);
      expect(ended, name).toBe(true);
      expect(data[1], name).toBe(expected);
      s.destroy();
    }
    await expectProxyAlive();
  });

  it("fuzz: random bytes never crash the proxy or open a connection", async () => {
    proxy = await proxyFor(allowLoopback, { limits: { headersTimeoutMs: 300 } });
    const before = servers.accepted.echo4;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.boolean(), async (bytes, socksPrefix) => {
        const s = await dial(proxy!.http);
        s.on("error", () => undefined);
        s.write(socksPrefix ? Buffer.concat([Buffer.from([5]), bytes]) : Buffer.from(bytes));
        s.end();
        await readUntil(s, () => false, 2000);
        s.destroy();
      }),
      { numRuns: 60 },
    );
    expect(servers.accepted.echo4).toBe(before);
    await expectProxyAlive();
    await eventually(() => proxy!.openSockets === 0, 5000, "fuzz connections to close");
  });
});

function socksAddrRequest(address: Buffer): Buffer {
  return Buffer.concat([Buffer.from([5, 1, 0]), address]);
}

describe("slow and silent clients", () => {
  it("slow-loris: a request head dripped byte by byte is cut off with 408", async () => {
    proxy = await proxyFor(allowLoopback, { limits: { headersTimeoutMs: 300 } });
    const s = await dial(proxy.http);
    s.on("error", () => undefined);
    s.write(`GET http://127.0.0.1:${servers.http4}/ HTTP/1.1\r\n`);
    const drip = setInterval(() => s.writable && s.write("X-Slow: a\r\n"), 50);
    const { data, ended } = await readUntil(s, () => false, 10_000);
    clearInterval(drip);
    expect(ended).toBe(true);
    expect(data.toString()).toMatch(/^HTTP\/1\.1 408 /);
    s.destroy();
  });

  it("a connection that never sends a byte is closed", async () => {
    proxy = await proxyFor(allowLoopback, { limits: { headersTimeoutMs: 200 } });
    const s = await dial(proxy.http);
    const { ended } = await readUntil(s, () => false, 10_000);
    expect(ended).toBe(true);
    await eventually(() => proxy!.openSockets === 0, 5000, "silent socket to close");
  });

  it("an idle keep-alive connection between requests is closed", async () => {
    proxy = await proxyFor(allowLoopback, { limits: { headersTimeoutMs: 300 } });
    const t = `127.0.0.1:${servers.http4}`;
    const s = await dial(proxy.http);
    s.write(`GET http://${t}/one HTTP/1.1\r\nHost: ${t}\r\n\r\n`);
    const { data, ended } = await readUntil(s, () => false, 10_000);
    expect(data.toString()).toMatch(/^HTTP\/1\.1 200 /);
    expect(ended).toBe(true);
  });

  it("a SOCKS5 handshake that stalls is closed", async () => {
    proxy = await proxyFor(allowLoopback, { limits: { headersTimeoutMs: 200 } });
    const s = await dial(proxy.http);
    s.write(Buffer.from([5, 1, 0, 5, 1]));
    const { ended } = await readUntil(s, () => false, 10_000);
    expect(ended).toBe(true);
  });

  it("an idle tunnel is closed on both sides after idleTimeoutMs", async () => {
    const target = await targetServer(closeWhenPeerCloses);
    proxy = await proxyFor(allowLoopback, { limits: { idleTimeoutMs: 300 } });
    const { answer, socket } = await connectVia(proxy.http, `127.0.0.1:${target.port}`);
    expect(answer?.status).toBe(200);
    await eventually(() => target.sockets.size === 1, 5000, "target connection");
    const { ended } = await readUntil(socket, () => false, 10_000);
    expect(ended).toBe(true);
    await eventually(() => target.sockets.size === 0, 5000, "target side closed");
    await target.close();
  });
});

describe("faults", () => {
  it("the target resets the connection: the client's tunnel closes and nothing leaks", async () => {
    const target = await targetServer((s) => s.resetAndDestroy());
    proxy = await proxyFor(allowLoopback);
    const { socket } = await connectVia(proxy.http, `127.0.0.1:${target.port}`);
    const { ended } = await readUntil(socket, () => false, 5000);
    expect(ended).toBe(true);
    await eventually(() => proxy!.openSockets === 0, 5000, "proxy sockets to close");
    await target.close();
  });

  it("the client resets mid-tunnel: the target side is closed", async () => {
    const target = await targetServer(closeWhenPeerCloses);
    proxy = await proxyFor(allowLoopback);
    const { answer, socket } = await connectVia(proxy.http, `127.0.0.1:${target.port}`);
    expect(answer?.status).toBe(200);
    socket.write("partial");
    await eventually(() => target.sockets.size === 1, 5000, "target connection");
    socket.resetAndDestroy();
    await eventually(() => target.sockets.size === 0, 5000, "target side closed");
    await eventually(() => proxy!.openSockets === 0, 5000, "proxy sockets to close");
    await target.close();
  });

  it("the client goes away while the decision is pending: everything is closed once it completes", async () => {
    let release: ((v: string[]) => void) | undefined;
    const resolve = (): Promise<string[]> => new Promise((r) => (release = r));
    proxy = await proxyFor({ domains: { "slow.example": "allow" }, allow_local_binding: true }, { resolve });
    const s = await dial(proxy.http);
    s.write(`CONNECT slow.example:${servers.echo4} HTTP/1.1\r\nHost: slow.example:${servers.echo4}\r\n\r\n`);
    await eventually(() => release !== undefined, 5000, "the resolver to be asked");
    s.destroy();
    // A paused socket cannot notice its peer left until the tunnel starts reading it; the
    // pending decision is bounded by connectTimeoutMs, and afterwards nothing may remain open.
    release!(["127.0.0.1"]);
    await eventually(() => proxy!.openSockets === 0, 5000, "every socket closed");
  });

  it("half-close client→target: the client sends and FINs, then still receives the answer", async () => {
    // The target reads everything until FIN, then answers with the byte count and closes.
    const target = await targetServer((s) => {
      let n = 0;
      s.on("data", (c: Buffer) => (n += c.length));
      s.on("end", () => s.end(`got ${n}`));
    });
    proxy = await proxyFor(allowLoopback);
    const { socket } = await connectVia(proxy.http, `127.0.0.1:${target.port}`);
    socket.end("x".repeat(100_000));
    const { data, ended } = await readUntil(socket, () => false, 5000);
    expect(data.toString()).toBe("got 100000");
    expect(ended).toBe(true);
    await eventually(() => proxy!.openSockets === 0, 5000, "proxy sockets to close");
    await target.close();
  });

  it("half-close target→client: the target FINs first, the client can still send to it", async () => {
    const received: string[] = [];
    const target = await targetServer((s) => {
      s.end("bye-first");
      s.on("data", (c: Buffer) => received.push(c.toString()));
    });
    proxy = await proxyFor(allowLoopback);
    const { socket } = await connectVia(proxy.http, `127.0.0.1:${target.port}`, `Host: 127.0.0.1:${target.port}\r\n`, { allowHalfOpen: true });
    const first = await readUntil(socket, (b) => b.toString() === "bye-first", 5000);
    expect(first.data.toString()).toBe("bye-first");
    await new Promise<void>((r) => socket.once("end", () => r()).resume());
    socket.write("after-fin");
    await eventually(() => received.join("") === "after-fin", 5000, "data after the target's FIN");
    socket.end();
    await eventually(() => proxy!.openSockets === 0, 5000, "proxy sockets to close");
    await target.close();
  });

  it("back-pressure: 16 MiB to a target that pauses reading arrives intact", async () => {
    let total = 0;
    let paused!: net.Socket;
    const target = await targetServer((s) => {
      paused = s;
      s.pause();
      s.on("data", (c: Buffer) => (total += c.length));
    });
    proxy = await proxyFor(allowLoopback);
    const { socket } = await connectVia(proxy.http, `127.0.0.1:${target.port}`);
    const chunk = Buffer.alloc(64 * 1024, 7);
    const size = 16 * 1024 * 1024;
    let writes = 0;
    let sawBackPressure = false;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (writes * chunk.length < size) {
          writes++;
          if (!socket.write(chunk)) {
            sawBackPressure = true;
            socket.once("drain", pump);
            if (writes === 64) setTimeout(() => paused.resume(), 200); // let the target read later
            return;
          }
        }
        resolve();
      };
      pump();
      setTimeout(() => paused?.resume(), 300);
    });
    expect(sawBackPressure).toBe(true);
    await eventually(() => total === size, 20_000, "all bytes at the target");
    socket.destroy();
    await target.close();
  });

  it("200 concurrent tunnels carry their own data, and all close cleanly", async () => {
    proxy = await proxyFor(allowLoopback, { limits: { maxConnections: 1000 } });
    const baseline = tcpHandles();
    const tunnels = await Promise.all(Array.from({ length: 200 }, () => connectVia(proxy!.http, `127.0.0.1:${servers.echo4}`)));
    expect(tunnels.every((t) => t.answer?.status === 200)).toBe(true);
    const results = await Promise.all(tunnels.map((t, i) => echoThrough(t.socket, `tunnel-${i}-${"z".repeat(2000)}\n`)));
    results.forEach((r, i) => expect(r).toBe(`tunnel-${i}-${"z".repeat(2000)}\n`));
    expect(proxy.openSockets).toBe(400);
    for (const t of tunnels) t.socket.end();
    await eventually(() => proxy!.openSockets === 0, 10_000, "all 400 proxy sockets to close");
    await eventually(() => tcpHandles() <= baseline, 10_000, "client handles released");
  });

  it("maxConnections: connections beyond the limit are closed at once", async () => {
    proxy = await proxyFor(allowLoopback, { limits: { maxConnections: 2 } });
    const a = await connectVia(proxy.http, `127.0.0.1:${servers.echo4}`);
    const b = await connectVia(proxy.http, `127.0.0.1:${servers.echo4}`);
    expect([a.answer?.status, b.answer?.status]).toEqual([200, 200]);
    const c = await dial(proxy.http);
    c.on("error", () => undefined);
    const { ended } = await readUntil(c, () => false, 5000);
    expect(ended).toBe(true);
    a.socket.destroy();
    b.socket.destroy();
  });
});

describe("close()", () => {
  it("destroys open tunnels and pending requests, is idempotent, and leaves no handles", async () => {
    const baseline = tcpHandles();
    const never = (): Promise<string[]> => new Promise(() => undefined);
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow", "pending.example": "allow" } }, { resolve: never });
    const tunnel = await connectVia(proxy.http, `127.0.0.1:${servers.echo4}`);
    expect(tunnel.answer?.status).toBe(200);
    const pending = await dial(proxy.http);
    pending.write("CONNECT pending.example:443 HTTP/1.1\r\n\r\n");
    await eventually(() => proxy!.openSockets === 3, 5000, "sockets open");
    const p = proxy;
    await Promise.all([p.close(), p.close()]);
    proxy = undefined;
    expect(p.openSockets).toBe(0);
    expect((await readUntil(tunnel.socket, () => false, 5000)).ended).toBe(true);
    expect((await readUntil(pending, () => false, 5000)).ended).toBe(true);
    await eventually(() => tcpHandles() <= baseline, 5000, "no TCP handles left");
    const refused = await dial(p.http).then(
      () => "connected",
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(refused).toBe("ECONNREFUSED");
  });
});
