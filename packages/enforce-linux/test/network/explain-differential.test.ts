// Differential test: what `cordon explain --domain` says (and decideHost, which it uses) equals what
// cordon's proxy actually does for a sandboxed client, host by host, over a few hundred generated host
// spellings and two policies. Names resolve (fake resolver) to the loopback test server, and
// allow_local_binding = true, so the resolved-address check adds no refusal of its own: any difference
// is a difference between explain and enforcement.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideHost, resolvePolicy, type ResolvedPolicy } from "@cordon/policy-model";
import { ensureBuilt, ensureTestUser, PACKAGE_DIR, realRunBlocker, type RunAs } from "../helpers/sandbox.js";
import { CLIENT, runAsync, startHttpServer, type CountingHttpServer } from "./net-harness.js";

const CLI = path.resolve(PACKAGE_DIR, "../../apps/cli/dist/main.js");
const blocker = realRunBlocker() ?? (existsSync(CLI) ? undefined : `the CLI is not built (${CLI}); run npx turbo run build`);
if (blocker) console.warn(`SKIPPING the explain/proxy differential test: ${blocker}`);

const CONFIGS: Record<string, string> = {
  limited: `
[permissions.diff]
extends = ":read-only"
[permissions.diff.network]
enabled = true
mode = "limited"
allow_local_binding = true
[permissions.diff.network.domains]
"api.example.test" = "allow"
"*.cdn.test" = "allow"
"**.corp.test" = "allow"
"secret.corp.test" = "deny"
"*.evil.corp.test" = "deny"
"*.edge.test" = "allow"
"localhost" = "allow"
"127.0.0.1" = "allow"
`,
  full: `
[permissions.diff]
extends = ":read-only"
[permissions.diff.network]
enabled = true
mode = "full"
allow_local_binding = true
[permissions.diff.network.domains]
"*.evil.test" = "deny"
"tracker.example.test" = "deny"
"**.blocked.test" = "deny"
"127.0.0.1" = "allow"
`,
};

/** A deterministic spread of host spellings: apexes, subdomains at several depths, case, trailing dots, local literals. */
function generateHosts(seed: number, count: number, publicLiterals: boolean): string[] {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const labels = ["a", "api", "x", "evil", "secret", "cdn", "region1", "regionx", "xregion1", "www", "corp", "blocked", "edge"];
  const bases = ["example.test", "cdn.test", "corp.test", "evil.corp.test", "edge.test", "evil.test", "blocked.test", "other.test", "tracker.example.test"];
  const out = new Set<string>([
    "localhost", "LOCALHOST", "localhost.", "foo.localhost", "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1",
    "::1", "[::ffff:127.0.0.1]", "10.1.2.3", "169.254.169.254", "[fd00::1]", "0.0.0.0",
  ]);
  if (publicLiterals) out.add("93.184.215.14"); // never allowed by the limited policy: refused before any connection
  for (const base of bases) out.add(base);
  while (out.size < count) {
    const depth = next(3);
    const parts = Array.from({ length: depth + 1 }, () => labels[next(labels.length)]!);
    let host = [...parts, bases[next(bases.length)]!].join(".");
    if (next(5) === 0) host = host.toUpperCase();
    if (next(7) === 0) host += ".";
    out.add(host);
  }
  return [...out];
}

function explainViaCli(configFile: string, cwd: string, cordonHome: string, targets: string[]): { host: string; port: number; decision: string }[] {
  const args = [CLI, "explain", "--json", "--config", configFile, "--profile", "diff", ...targets.flatMap((t) => ["--domain", t])];
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cordonHome, CORDON_HOME: cordonHome, CORDON_SYSTEM_DIR: cordonHome } });
  if (r.status !== 0) throw new Error(`cordon explain failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { domains: { host: string; port: number; decision: string }[] }).domains;
}

for (const as of ["root", "user"] as const satisfies readonly RunAs[]) {
  describe.runIf(!blocker)(`explain --domain equals the proxy's verdict, as ${as}`, () => {
    let server: CountingHttpServer;
    let dir = "";
    beforeAll(async () => {
      ensureBuilt();
      ensureTestUser();
      server = await startHttpServer("127.0.0.1");
      dir = mkdtempSync("/tmp/cordon-diff-");
      chmodSync(dir, 0o755); // the unprivileged run uses it as its working directory
      mkdirSync(path.join(dir, "home"));
    });
    afterAll(async () => {
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    for (const [name, toml] of Object.entries(CONFIGS)) {
      it(`${name} policy: every host, allow ⇔ tunnel opened, deny ⇔ 403 and never looked up`, async () => {
        const configFile = path.join(dir, `${name}.toml`);
        writeFileSync(configFile, toml);
        const home = path.join(dir, "home");
        const env = { PATH: "/usr/bin:/bin", HOME: home, CORDON_HOME: home, CORDON_SYSTEM_DIR: home };
        const policy: ResolvedPolicy = resolvePolicy({ cwd: dir, env, configFiles: [configFile], overrides: [], requirementsFiles: [], addDirs: [], profile: "diff" });
        const port = server.port;
        const hosts = generateHosts(name === "limited" ? 7 : 11, 160, name === "limited");
        const targets = hosts.map((h) => (h.includes(":") && !h.startsWith("[") ? `[${h}]:${port}` : `${h}:${port}`));

        const explained = explainViaCli(configFile, dir, home, targets);
        expect(explained).toHaveLength(hosts.length);
        // explain is decideHost on the same policy
        hosts.forEach((h, i) => expect(explained[i]!.decision, h).toBe(decideHost(policy.network, targets[i]!).decision));

        const r = await runAsync(as, { policy: { ...policy, environment: { PATH: "/usr/bin:/bin" } }, argv: [process.execPath, CLIENT, "connect-many", String(port), ...hosts], hosts: { "*": ["127.0.0.1"]} });
        expect(r.error, r.error).toBeUndefined();
        expect(r.code, r.stderr).toBe(0);
        const actual = JSON.parse(r.stdout ?? "{}") as Record<string, number | string>;
        const mismatches = hosts.filter((h, i) => (explained[i]!.decision === "allow" ? actual[h] !== 200 : actual[h] !== 403)).map((h) => `${h}: explain ${explained[hosts.indexOf(h)]!.decision}, proxy ${actual[h]}`);
        expect(mismatches).toEqual([]);
        const allowed = hosts.filter((_, i) => explained[i]!.decision === "allow");
        const denied = hosts.filter((_, i) => explained[i]!.decision === "deny");
        expect(allowed.length).toBeGreaterThan(10);
        expect(denied.length).toBeGreaterThan(10);
        // No refused name was ever resolved (NET-05): every lookup is of a name explain allows.
        const allowedNames = new Set(explained.filter((d) => d.decision === "allow").map((d) => d.host));
        for (const looked of r.lookups ?? []) expect(allowedNames.has(looked), looked).toBe(true);
      }, 120_000);
    }
  });
}
