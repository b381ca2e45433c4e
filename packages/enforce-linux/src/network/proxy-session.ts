// The egress proxy of one sandboxed run: started on unix sockets in a private per-run directory (or a
// running proxy the caller lends), collected denials for --log-denials, and closed with the sandbox.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Denial } from "@cordon/policy-model";
import { startEgressProxy, type EgressProxy, type ProxyDecision, type Resolver } from "@cordon/egress-proxy";
import type { LinuxNetworkPlan, ProxyEndpoint } from "./network-plan.js";
import { ENDPOINT_FILES } from "./network-plan.js";

/** Per-run directories are `net-<launcher pid>-XXXXXX` inside the (0700) cordon runtime dir. */
const RUN_DIR_PREFIX = "net-";

/** How the caller wants the proxy provided. */
export interface ProxySessionOptions {
  /** A running proxy to use instead of starting one (it must listen on unix sockets; it is not closed). */
  readonly proxy?: EgressProxy;
  /** Host-side resolver for the proxy this session starts (tests inject a fake one; never from the environment). */
  readonly resolve?: Resolver;
  /** The launcher's own environment, for allow_upstream_proxy (HTTPS_PROXY/HTTP_PROXY of cordon, not of the policy). */
  readonly launcherEnv?: NodeJS.ProcessEnv;
}

/** A proxy serving one sandbox. */
export interface ProxySession {
  /** Host path of each endpoint's socket, to bind-mount into the sandbox. */
  readonly sockets: Readonly<Partial<Record<ProxyEndpoint, string>>>;
  /** The proxy's refusals during this run, as denial-log entries. */
  denials(): Denial[];
  /** Stops a proxy this session started and removes its directory (a lent proxy keeps running). Idempotent. */
  close(): Promise<void>;
}

/** Thrown when the run's proxy cannot be provided; the command does not run. */
export class ProxySessionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProxySessionError";
  }
}

/** The host's proxy for allow_upstream_proxy: the launcher's HTTPS_PROXY, else HTTP_PROXY (either case). */
export function upstreamProxyFrom(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

/** `host:port` as the client asked for it (IPv6 in brackets); a request refused before naming a target says its protocol. */
function targetOf(d: ProxyDecision): string {
  const host = d.host === "" ? `(${d.protocol} request)` : d.host.includes(":") ? `[${d.host}]` : d.host;
  return d.port === null ? host : `${host}:${d.port}`;
}

/** A refused proxy decision as a denial-log entry. */
export function denialOf(d: ProxyDecision): Denial {
  return { kind: "network", operation: "connect", target: targetOf(d), detail: d.reason };
}

/** Removes per-run directories whose launcher is gone (a crashed run leaves its socket behind). */
export function removeStaleRunDirs(runtimeDir: string): void {
  let names: string[];
  try {
    names = readdirSync(runtimeDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^net-(\d+)-/.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    rmSync(path.join(runtimeDir, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Starts (or adopts) the proxy for a run of `net`. */
export async function openProxySession(net: LinuxNetworkPlan, runtimeDir: string, options: ProxySessionOptions): Promise<ProxySession> {
  const needsSocks = net.routes.some((r) => r.endpoint === "socks");
  if (options.proxy) return lentSession(options.proxy, needsSocks);

  removeStaleRunDirs(runtimeDir);
  // mkdtemp creates the directory with mode 0700, owned by this user: the sockets inside (0600) are
  // reachable by nobody else (NET-20), and the runtime dir itself is masked inside the sandbox.
  let dir: string;
  try {
    dir = mkdtempSync(path.join(runtimeDir, `${RUN_DIR_PREFIX}${process.pid}-`));
  } catch (error) {
    throw new ProxySessionError(`cordon: cannot create the egress proxy's directory in ${runtimeDir}: ${(error as Error).message}`, { cause: error });
  }
  const sockets: Partial<Record<ProxyEndpoint, string>> = { proxy: path.join(dir, ENDPOINT_FILES.proxy) };
  if (needsSocks) sockets.socks = path.join(dir, ENDPOINT_FILES.socks);
  const refused: ProxyDecision[] = [];
  const upstream = net.policy.allowUpstreamProxy ? upstreamProxyFrom(options.launcherEnv ?? process.env) : undefined;
  let proxy: EgressProxy;
  try {
    proxy = await startEgressProxy({
      network: net.policy,
      listen: { unixSocket: sockets.proxy! },
      ...(sockets.socks ? { socksListen: { unixSocket: sockets.socks } } : {}),
      ...(options.resolve ? { resolve: options.resolve } : {}),
      ...(upstream !== undefined ? { upstreamProxy: upstream } : {}),
      onDecision: (d) => {
        if (d.decision === "deny") refused.push(d);
      },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new ProxySessionError(`cordon: cannot start the egress proxy: ${(error as Error).message}`, { cause: error });
  }
  let closing: Promise<void> | undefined;
  return {
    sockets,
    denials: () => refused.map(denialOf),
    close() {
      closing ??= proxy.close().finally(() => rmSync(dir, { recursive: true, force: true }));
      return closing;
    },
  };
}

/** A caller's running proxy: its sockets are used as they are; denials are those decided during the run. */
function lentSession(proxy: EgressProxy, needsSocks: boolean): ProxySession {
  if (!("unixSocket" in proxy.http)) {
    throw new ProxySessionError("cordon: the proxy passed to spawn must listen on a unix socket (the sandbox reaches it through a bind mount)");
  }
  const sockets: Partial<Record<ProxyEndpoint, string>> = { proxy: proxy.http.unixSocket };
  if (needsSocks) {
    if (!proxy.socks || !("unixSocket" in proxy.socks)) {
      throw new ProxySessionError("cordon: the policy's socks_url needs a SOCKS5 endpoint, but the proxy passed to spawn serves none on a unix socket");
    }
    sockets.socks = proxy.socks.unixSocket;
  }
  // The proxy may serve other sandboxes too: what it decided while this run lasted is reported (documented limit).
  const before = new Set(proxy.decisions);
  let during: readonly ProxyDecision[] | undefined;
  const decidedDuringRun = () => during ?? proxy.decisions.filter((d) => !before.has(d));
  return {
    sockets,
    denials: () => decidedDuringRun().filter((d) => d.decision === "deny").map(denialOf),
    close() {
      during ??= decidedDuringRun();
      return Promise.resolve();
    },
  };
}
