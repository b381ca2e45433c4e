// Starts and stops a throwaway verdaccio 5 registry on 127.0.0.1: no uplinks, anonymous publish, temp storage.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";

export interface LocalRegistry {
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  /** The `//host:port/` key npm uses for per-registry settings in an npmrc. */
  readonly npmrcKey: string;
  /** Everything verdaccio printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the kernel picks it; verdaccio then binds it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * No uplinks: every package the install needs must have been published here, so the test proves the
 * published dependency closure is complete and nothing is fetched from the internet.
 * `publish: $all` lets anonymous clients publish (npm itself still wants some token; see the npmrc).
 */
function configText(storage: string, htpasswd: string): string {
  return [
    `storage: ${JSON.stringify(storage)}`,
    "auth:",
    "  htpasswd:",
    `    file: ${JSON.stringify(htpasswd)}`,
    "    max_users: -1",
    "uplinks: {}",
    "packages:",
    "  '@*/*':",
    "    access: $all",
    "    publish: $all",
    "  '**':",
    "    access: $all",
    "    publish: $all",
    "web:",
    "  enable: false",
    "max_body_size: 50mb",
    "log: { type: stdout, format: pretty, level: warn }",
    "",
  ].join("\n");
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`verdaccio exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    try {
      const response = await fetch(new URL("-/ping", url));
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer ${url}-/ping within ${timeoutMs} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Starts verdaccio (resolved from the monorepo root's devDependencies) with a config under `dir`.
 * @param repoRoot the monorepo root, where verdaccio is installed
 */
export async function startLocalRegistry(repoRoot: string, dir: string): Promise<LocalRegistry> {
  const require = createRequire(path.join(repoRoot, "package.json"));
  let verdaccioBin: string;
  try {
    verdaccioBin = path.join(path.dirname(require.resolve("verdaccio/package.json")), "bin", "verdaccio");
  } catch (error) {
    throw new Error(`verdaccio is not installed at the repo root (it is a root devDependency; run npm ci): ${(error as Error).message}`);
  }
  mkdirSync(path.join(dir, "storage"), { recursive: true });
  const configFile = path.join(dir, "config.yaml");
  writeFileSync(configFile, configText(path.join(dir, "storage"), path.join(dir, "htpasswd")));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = spawn(process.execPath, [verdaccioBin, "--config", configFile, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, NODE_ENV: "production" },
  });
  let log = "";
  const append = (chunk: Buffer): void => {
    log = (log + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const output = (): string => log;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilReady(url, child, output, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, npmrcKey: `//127.0.0.1:${port}/`, output, stop };
}
