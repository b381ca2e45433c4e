#!/usr/bin/env node
// Benchmark of @cordon/egress-proxy on loopback: throughput and connect latency of N concurrent
// CONNECT tunnels against direct connections in the same run, then a soak that prints memory.
//
// The proxy runs on the main thread; the load generator and the sink/echo servers run on a worker
// thread, so the proxy's event loop is measured on its own (as in real use, where the proxy and
// the sandboxed command are different processes).
//
// Usage (build first: cd packages/egress-proxy && npx tsc -b tsconfig.build.json):
//   node tools/bench-proxy.mjs [--tunnels 100] [--mib-per-tunnel 4] [--latency-samples 300]
//                              [--soak-seconds 5] [--json]
// Goal: >= 90% of direct throughput, < 1 ms added per connection at 100 tunnels, flat memory.
import net from "node:net";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Worker, isMainThread, parentPort } from "node:worker_threads";

if (isMainThread) await main();
else runWorker();

// ---- main thread: the proxy and the report ------------------------------------------------------

async function main() {
  const { values } = parseArgs({
    options: {
      tunnels: { type: "string", default: "100" },
      "mib-per-tunnel": { type: "string", default: "4" },
      "latency-samples": { type: "string", default: "300" },
      "soak-seconds": { type: "string", default: "5" },
      json: { type: "boolean", default: false },
    },
  });
  const tunnels = positiveInt(values.tunnels, "--tunnels");
  const bytesPerTunnel = positiveInt(values["mib-per-tunnel"], "--mib-per-tunnel") * 1024 * 1024;
  const samples = positiveInt(values["latency-samples"], "--latency-samples");
  const soakSeconds = positiveInt(values["soak-seconds"], "--soak-seconds");

  const { startEgressProxy } = await import("@cordon/egress-proxy");
  const { compileNetwork } = await import("@cordon/policy-model");
  const network = compileNetwork({ enabled: true, domains: { "127.0.0.1": "allow" } }, () => ({ kind: "builtin", detail: "bench" }));
  const proxy = await startEgressProxy({
    network,
    listen: { host: "127.0.0.1", port: 0 },
    limits: { maxConnections: tunnels * 4 + 64, maxDecisions: 1000 },
  });
  const proxyPort = proxy.http.port;
  const worker = new Worker(new URL(import.meta.url));
  const call = rpc(worker);
  const { sinkPort, echoPort } = await call({ cmd: "servers" });
  const log = (...a) => values.json || console.log(...a);

  log(`bench-proxy: ${tunnels} tunnels, ${bytesPerTunnel / 1048576} MiB each, node ${process.version}`);
  // Warm-up (JIT, socket buffers), not reported.
  await call({ cmd: "throughput", via: null, port: sinkPort, tunnels: 10, bytes: 1 << 20 });
  await call({ cmd: "throughput", via: proxyPort, port: sinkPort, tunnels: 10, bytes: 1 << 20 });

  // Direct and proxied runs alternate, so load from other processes and TIME_WAIT build-up on the
  // loopback ports affect both alike; each figure is the median over the rounds.
  const rounds = 3;
  const tput = { direct: [], proxied: [] };
  for (let r = 0; r < rounds; r++) {
    tput.direct.push((await call({ cmd: "throughput", via: null, port: sinkPort, tunnels, bytes: bytesPerTunnel })).mibPerSec);
    tput.proxied.push((await call({ cmd: "throughput", via: proxyPort, port: sinkPort, tunnels, bytes: bytesPerTunnel })).mibPerSec);
  }
  const direct = { mibPerSec: median(tput.direct) };
  const proxied = { mibPerSec: median(tput.proxied) };
  const ratio = proxied.mibPerSec / direct.mibPerSec;
  log(`throughput (median of ${rounds})  direct ${direct.mibPerSec.toFixed(0)} MiB/s   proxied ${proxied.mibPerSec.toFixed(0)} MiB/s   ratio ${(ratio * 100).toFixed(1)}%`);

  const seq = { direct: [], proxied: [] };
  const con = { direct: [], proxied: [] };
  let busyMs = 0;
  let busyTunnels = 0;
  for (let r = 0; r < rounds; r++) {
    seq.direct.push((await call({ cmd: "latency", via: null, port: echoPort, samples: Math.ceil(samples / rounds), concurrency: 1 })).medianMs);
    seq.proxied.push((await call({ cmd: "latency", via: proxyPort, port: echoPort, samples: Math.ceil(samples / rounds), concurrency: 1 })).medianMs);
    con.direct.push((await call({ cmd: "latency", via: null, port: echoPort, samples: tunnels, concurrency: tunnels })).meanMs);
    // Busy time of the proxy's own thread while it sets up the tunnels: its cost per connection,
    // apart from waiting for a core on a loaded machine.
    const elu0 = performance.eventLoopUtilization();
    con.proxied.push((await call({ cmd: "latency", via: proxyPort, port: echoPort, samples: tunnels, concurrency: tunnels })).meanMs);
    busyMs += performance.eventLoopUtilization(elu0).active;
    busyTunnels += tunnels;
  }
  const seqDirect = { medianMs: median(seq.direct) };
  const seqProxied = { medianMs: median(seq.proxied) };
  const conDirect = { meanMs: median(con.direct) };
  const conProxied = { meanMs: median(con.proxied) };
  const proxyBusyPerTunnelMs = busyMs / busyTunnels;
  const addedSeq = seqProxied.medianMs - seqDirect.medianMs;
  const addedCon = conProxied.meanMs - conDirect.meanMs;
  log(`connect+first echo, one at a time (median): direct ${seqDirect.medianMs.toFixed(3)} ms  proxied ${seqProxied.medianMs.toFixed(3)} ms  added ${addedSeq.toFixed(3)} ms`);
  log(`connect+first echo, ${tunnels} at once (mean per connection): direct ${conDirect.meanMs.toFixed(3)} ms  proxied ${conProxied.meanMs.toFixed(3)} ms  added ${addedCon.toFixed(3)} ms`);
  log(`proxy thread busy per tunnel setup (accept, parse, decide, connect, 200, teardown): ${proxyBusyPerTunnelMs.toFixed(3)} ms`);

  // Soak: N tunnels stay open and echo 16 KiB messages back and forth; every second a tenth of
  // them is closed and reopened (churn). Memory of the whole process is sampled each second.
  log(`soak: ${soakSeconds} s, ${tunnels} busy tunnels with 10%/s churn`);
  const rss = [];
  const heap = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    rss.push(m.rss / 1048576);
    heap.push(m.heapUsed / 1048576);
    log(`  t=${String(Math.round((Date.now() - started) / 1000)).padStart(3)}s  rss ${(m.rss / 1048576).toFixed(1)} MiB  heapUsed ${(m.heapUsed / 1048576).toFixed(1)} MiB  open sockets ${proxy.openSockets}`);
  }, 1000);
  const soak = await call({ cmd: "soak", via: proxyPort, port: echoPort, tunnels, seconds: soakSeconds });
  clearInterval(sampler);
  const cycles = soak.reopened;
  log(`soak traffic: ${(soak.bytes / 1048576).toFixed(0)} MiB echoed, ${soak.reopened} tunnels reopened`);
  await waitFor(() => proxy.openSockets === 0, 5000);
  const leftover = proxy.openSockets;
  await call({ cmd: "stop" });
  await worker.terminate();
  await proxy.close();

  const half = Math.max(1, Math.floor(heap.length / 2));
  const result = {
    tunnels,
    bytesPerTunnel,
    throughput: { directMiBps: direct.mibPerSec, proxiedMiBps: proxied.mibPerSec, ratio },
    connectLatencyMs: {
      sequential: { direct: seqDirect.medianMs, proxied: seqProxied.medianMs, added: addedSeq },
      concurrent: { direct: conDirect.meanMs, proxied: conProxied.meanMs, added: addedCon },
      proxyBusyPerTunnel: proxyBusyPerTunnelMs,
    },
    soak: {
      seconds: soakSeconds,
      reopenedTunnels: cycles,
      echoedMiB: soak.bytes / 1048576,
      rssMiB: { first: rss[0], last: rss.at(-1), max: Math.max(...rss) },
      heapUsedMiB: { firstHalfMean: mean(heap.slice(0, half)), secondHalfMean: mean(heap.slice(half)) },
      openSocketsAfter: leftover,
    },
    goals: { throughputAtLeast90Percent: ratio >= 0.9, addedUnder1ms: addedSeq < 1 && proxyBusyPerTunnelMs < 1, noLeakedSockets: leftover === 0 },
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    log(`soak: rss ${result.soak.rssMiB.first?.toFixed(1)} → ${result.soak.rssMiB.last?.toFixed(1)} MiB (max ${result.soak.rssMiB.max.toFixed(1)}); heapUsed mean ${result.soak.heapUsedMiB.firstHalfMean.toFixed(1)} → ${result.soak.heapUsedMiB.secondHalfMean.toFixed(1)} MiB; open sockets after: ${leftover}`);
    log(`goals: throughput >= 90%: ${result.goals.throughputAtLeast90Percent}; added < 1 ms: ${result.goals.addedUnder1ms}; no leaked sockets: ${result.goals.noLeakedSockets}`);
  }
}

function positiveInt(text, name) {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`bench-proxy: ${name} must be a positive integer, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

function rpc(worker) {
  let next = 0;
  const pending = new Map();
  worker.on("message", (m) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(new Error(m.error));
    else p?.resolve(m.result);
  });
  worker.on("error", (e) => {
    for (const p of pending.values()) p.reject(e);
  });
  return (msg) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id });
    });
}

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function mean(xs) {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

async function waitFor(predicate, ms) {
  const start = Date.now();
  while (!predicate() && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 20));
}

// ---- worker thread: servers and load --------------------------------------------------------------

function runWorker() {
  const servers = [];
  parentPort.on("message", async (msg) => {
    try {
      let result;
      if (msg.cmd === "servers") result = await startServers(servers);
      else if (msg.cmd === "throughput") result = await throughput(msg);
      else if (msg.cmd === "latency") result = await latency(msg);
      else if (msg.cmd === "soak") result = await soak(msg);
      else if (msg.cmd === "stop") {
        for (const s of servers) s.close();
        result = {};
      }
      parentPort.postMessage({ id: msg.id, result });
    } catch (err) {
      parentPort.postMessage({ id: msg.id, error: String(err?.stack ?? err) });
    }
  });
}

async function startServers(servers) {
  // Sink: counts bytes until the client's FIN, then answers the count (8 bytes) and closes.
  const sink = net.createServer({ allowHalfOpen: true }, (s) => {
    let n = 0;
    s.on("data", (c) => (n += c.length));
    s.on("end", () => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt(n));
      s.end(b);
    });
    s.on("error", () => s.destroy());
  });
  const echo = net.createServer((s) => {
    s.on("error", () => s.destroy());
    s.pipe(s);
  });
  for (const s of [sink, echo]) {
    s.maxConnections = 100_000;
    servers.push(s);
    await new Promise((r) => s.listen({ host: "127.0.0.1", port: 0, backlog: 4096 }, r));
  }
  return { sinkPort: sink.address().port, echoPort: echo.address().port };
}

/** A connected stream to 127.0.0.1:port, directly or through a CONNECT tunnel. */
function open(via, port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port: via ?? port, allowHalfOpen: true, noDelay: true });
    s.once("error", reject);
    s.once("connect", () => {
      if (via === null) return resolve(s);
      s.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      let head = Buffer.alloc(0);
      const onData = (c) => {
        head = Buffer.concat([head, c]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        s.off("data", onData);
        s.pause();
        if (!head.subarray(0, 12).toString().startsWith("HTTP/1.1 200")) return reject(new Error(`proxy answered ${head.toString().split("\r\n")[0]}`));
        if (end + 4 < head.length) s.unshift(head.subarray(end + 4));
        resolve(s);
      };
      s.on("data", onData);
    });
  });
}

async function throughput({ via, port, tunnels, bytes }) {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const start = process.hrtime.bigint();
  const counts = await Promise.all(
    Array.from({ length: tunnels }, async () => {
      const s = await open(via, port);
      return new Promise((resolve, reject) => {
        let sent = 0;
        let reply = Buffer.alloc(0);
        s.on("data", (c) => (reply = Buffer.concat([reply, c])));
        s.on("end", () => {
          s.destroy();
          resolve(reply.length >= 8 ? Number(reply.readBigUInt64BE(0)) : -1);
        });
        s.on("error", reject);
        s.resume();
        const pump = () => {
          while (sent < bytes) {
            const n = Math.min(chunk.length, bytes - sent);
            sent += n;
            if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return s.once("drain", pump);
          }
          s.end();
        };
        pump();
      });
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (counts.some((c) => c !== bytes)) throw new Error(`a sink received the wrong byte count: ${counts.find((c) => c !== bytes)}`);
  return { seconds, mibPerSec: (tunnels * bytes) / 1048576 / seconds };
}

async function latency({ via, port, samples, concurrency }) {
  const times = [];
  const one = async () => {
    const t0 = process.hrtime.bigint();
    const s = await open(via, port);
    await new Promise((resolve) => {
      s.once("data", resolve);
      s.resume();
      s.write("x");
    });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    s.destroy();
  };
  for (let done = 0; done < samples; done += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, samples - done) }, one));
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], meanMs: mean(times), p95Ms: times[Math.floor(times.length * 0.95)] };
}

async function soak({ via, port, tunnels, seconds }) {
  const message = Buffer.alloc(16 * 1024, 0x62);
  const deadline = Date.now() + seconds * 1000;
  let bytes = 0;
  let reopened = 0;
  const live = new Set();
  // One tunnel: send a message, wait for all of it to come back, repeat until told to stop.
  const run = async () => {
    const s = await open(via, port);
    const entry = { s, stop: false };
    live.add(entry);
    let fail = () => undefined;
    s.on("error", (e) => fail(e));
    s.resume();
    try {
      while (!entry.stop && Date.now() < deadline) {
        await new Promise((resolve, reject) => {
          let got = 0;
          const onData = (c) => {
            got += c.length;
            if (got >= message.length) {
              s.off("data", onData);
              resolve();
            }
          };
          s.on("data", onData);
          fail = reject;
          s.write(message);
        });
        bytes += message.length;
      }
    } finally {
      live.delete(entry);
      s.destroy();
    }
  };
  const workers = Array.from({ length: tunnels }, run);
  const churn = setInterval(() => {
    let n = Math.ceil(tunnels / 10);
    for (const entry of live) {
      if (n-- <= 0) break;
      entry.stop = true;
      reopened++;
      workers.push(run());
    }
  }, 1000);
  while (Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  clearInterval(churn);
  await Promise.allSettled(workers);
  return { bytes, reopened };
}
