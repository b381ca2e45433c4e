// Attack classes under the real /usr/bin/sandbox-exec (FS-01/02/03/07/09/14/21, MAC-01/03/04/06/07/10).
// Runs only on macOS (the CI runner); every denied case is paired with an allowed control, and host-side
// state is checked after each attempt.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileNetwork, type ResolvedPolicy } from "@cordon/policy-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { macosBackend } from "../src/backend.js";
import { launchPlan } from "../src/launch.js";
import { bindProxyPorts } from "../src/plan.js";
import type { MacosPlan } from "../src/types.js";
import { denyGlob, makePolicy, protectedPath, rule } from "./helpers/policy.js";

const onMac = process.platform === "darwin";
if (!onMac) {
  console.warn(`[enforce-macos] SKIPPING the real sandbox-exec attack tests: this host is ${process.platform}, they run on the macOS CI runner only`);
}

describe.runIf(onMac)("real Seatbelt enforcement (macOS only)", () => {
  let work = "";
  let outside = "";
  let slashTmp = "";

  beforeAll(() => {
    work = realpathSync(mkdtempSync(join(tmpdir(), "cordon-ws-")));
    outside = realpathSync(mkdtempSync(join(tmpdir(), "cordon-out-")));
    slashTmp = mkdtempSync("/tmp/cordon-t-"); // logical /tmp spelling on purpose
    mkdirSync(join(work, "secrets"));
    mkdirSync(join(work, "sub"));
    mkdirSync(join(work, "late"));
    mkdirSync(join(work, ".git"));
    writeFileSync(join(work, ".git", "config"), "[core]\n");
    writeFileSync(join(work, "a.txt"), "PUBLIC\n");
    writeFileSync(join(work, ".env"), "SECRET_ENV\n");
    writeFileSync(join(work, "sub", ".ENV"), "SECRET_UPPER\n");
    writeFileSync(join(work, "secrets", "k"), "SECRET_DIR\n");
    writeFileSync(join(outside, "canary"), "OUTSIDE\n");
    writeFileSync(join(slashTmp, "a.key"), "SECRET_KEY\n");
    writeFileSync(join(slashTmp, "a.pub"), "PUBLIC_KEY\n");
  });
  afterAll(() => {
    for (const dir of [work, outside, slashTmp]) rmSync(dir, { recursive: true, force: true });
  });

  const policyFor = (network: Partial<ResolvedPolicy["network"]> = {}): ResolvedPolicy =>
    makePolicy({
      rules: [rule("/", "read"), rule(work, "write"), rule(join(work, "secrets"), "deny"), rule(slashTmp, "write")],
      denyGlobs: [denyGlob(`${work}/**/*.env`, work), denyGlob(`${slashTmp}/*.key`, slashTmp)],
      protectedPaths: [
        protectedPath(join(work, ".git"), { root: work }),
        protectedPath(join(work, ".cordon"), { name: ".cordon", state: "missing", preventCreation: true, root: work }),
      ],
      network,
    });

  async function planOf(policy: ResolvedPolicy, script: string): Promise<MacosPlan> {
    const result = await macosBackend.plan(policy, { argv: ["/bin/sh", "-c", script], cwd: work, env: { PATH: "/usr/bin:/bin:/usr/sbin:/sbin", HOME: work } });
    if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
    return result.plan;
  }

  async function sh(script: string, policy = policyFor(), ports?: number[]) {
    let plan = await planOf(policy, script);
    if (ports) {
      const bound = bindProxyPorts(plan, ports);
      if (!bound.ok) throw new Error("refused");
      plan = bound.plan;
    }
    const r = spawnSync(plan.argv[0]!, plan.argv.slice(1), { cwd: plan.cwd, env: plan.env, encoding: "utf8" });
    return { status: r.status, out: r.stdout, err: r.stderr };
  }

  it("probe: sandbox-exec runs and enforces", async () => {
    const report = await macosBackend.probe();
    expect(report.ready, report.problems.join("; ")).toBe(true);
  });

  it("FS-01: writes outside the writable roots fail; inside succeed", async () => {
    const denied = await sh(`echo x > ${outside}/evil`);
    expect(denied.status).not.toBe(0);
    expect(existsSync(join(outside, "evil"))).toBe(false);
    const allowed = await sh(`echo ok > ${work}/new.txt`);
    expect(allowed.status, allowed.err).toBe(0);
    expect(readFileSync(join(work, "new.txt"), "utf8")).toBe("ok\n");
  });

  it("FS-02/MAC-01: a denied directory inside a writable root is unreadable; its neighbour is readable", async () => {
    const denied = await sh(`cat ${work}/secrets/k`);
    expect([denied.status === 0, denied.out.includes("SECRET_DIR")]).toEqual([false, false]);
    const allowed = await sh(`cat ${work}/a.txt`);
    expect(allowed.out).toBe("PUBLIC\n");
  });

  it("FS-21: glob-denied files are unreadable in any case (.env, .ENV); other files are readable", async () => {
    for (const path of [`${work}/.env`, `${work}/sub/.ENV`, `${work}/SUB/.env`]) {
      const r = await sh(`cat ${path}`);
      expect(r.out.includes("SECRET"), path).toBe(false);
      expect(r.status).not.toBe(0);
    }
    expect((await sh(`cat ${work}/A.TXT`)).out).toBe("PUBLIC\n");
  });

  it("FS-03: a matching file created after the sandbox started is denied too", async () => {
    const plan = await planOf(policyFor(), `while [ ! -f ${work}/late/go ]; do sleep 0.1; done; cat ${work}/late/new.env; echo "status=$?"`);
    const proc = await launchPlan(plan, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    writeFileSync(join(work, "late", "new.env"), "LATE_SECRET\n");
    writeFileSync(join(work, "late", "go"), "");
    const status = await proc.exited;
    expect(status.code).toBe(0);
    expect(out).not.toContain("LATE_SECRET");
    expect(out).toMatch(/status=[1-9]/);
  });

  it("the sandbox cannot create a glob-matching file; creating another name works", async () => {
    expect((await sh(`echo x > ${work}/made.env`)).status).not.toBe(0);
    expect(existsSync(join(work, "made.env"))).toBe(false);
    expect((await sh(`echo x > ${work}/made.txt`)).status).toBe(0);
  });

  it("FS-09/MAC-07: renaming a denied file, its directory or their parent fails; renaming others works", async () => {
    for (const script of [`mv ${work}/.env ${work}/x.txt`, `mv ${work}/secrets ${work}/s2`, `mv ${work} ${work}-moved`, `mv ${work}/.git ${work}/g2`]) {
      const r = await sh(script);
      expect(r.status, script).not.toBe(0);
    }
    expect([existsSync(join(work, ".env")), existsSync(join(work, "secrets", "k")), existsSync(join(work, "x.txt")), existsSync(`${work}-moved`)]).toEqual([true, true, false, false]);
    expect((await sh(`mv ${work}/a.txt ${work}/b.txt && mv ${work}/b.txt ${work}/a.txt`)).status).toBe(0);
  });

  it("FS-07: a hard link to a denied file cannot be made", async () => {
    expect((await sh(`ln ${work}/.env ${work}/alias.txt`)).status).not.toBe(0);
    expect(existsSync(join(work, "alias.txt"))).toBe(false);
  });

  it("FS-14/MAC-03: rules written for /tmp hold for /private/tmp and vice versa", async () => {
    const physical = realpathSync(slashTmp);
    expect(physical.startsWith("/private/tmp/")).toBe(true);
    for (const dir of [slashTmp, physical]) {
      expect((await sh(`cat ${dir}/a.key`)).out).not.toContain("SECRET_KEY");
      expect((await sh(`cat ${dir}/a.pub`)).out).toBe("PUBLIC_KEY\n");
      expect((await sh(`echo w > ${dir}/w.txt`)).status).toBe(0);
    }
  });

  it("protected metadata: .git is read-only and a missing .cordon cannot be created", async () => {
    expect((await sh(`echo x >> ${work}/.git/config`)).status).not.toBe(0);
    expect(readFileSync(join(work, ".git", "config"), "utf8")).toBe("[core]\n");
    expect((await sh(`mkdir ${work}/.cordon`)).status).not.toBe(0);
    expect(existsSync(join(work, ".cordon"))).toBe(false);
    expect((await sh(`cat ${work}/.git/config`)).out).toBe("[core]\n");
  });

  describe("network", () => {
    let target: Server;
    let proxy: Server;
    const listen = (s: Server): Promise<number> => new Promise((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)));
    let targetPort = 0;
    let proxyPort = 0;
    beforeAll(async () => {
      target = createServer((c) => c.end());
      proxy = createServer((c) => c.end());
      targetPort = await listen(target);
      proxyPort = await listen(proxy);
    });
    afterAll(() => {
      target.close();
      proxy.close();
    });

    it("MAC-06: only the proxy port is reachable; another loopback port is refused", async () => {
      const policy = policyFor({ enabled: true });
      expect((await sh(`/usr/bin/nc -z -w 2 127.0.0.1 ${proxyPort}`, policy, [proxyPort])).status).toBe(0);
      expect((await sh(`/usr/bin/nc -z -w 2 127.0.0.1 ${targetPort}`, policy, [proxyPort])).status).not.toBe(0);
    });

    it("network disabled: even the proxy port is refused", async () => {
      expect((await sh(`/usr/bin/nc -z -w 2 127.0.0.1 ${proxyPort}`)).status).not.toBe(0);
    });
  });

  describe("managed egress proxy: the command's only route out (spec 5)", () => {
    let target: http.Server;
    let targetPort = 0;
    let decoy: Server;
    let decoyPort = 0;
    let requests: string[] = [];
    const table = (extra: Record<string, unknown> = {}): ResolvedPolicy["network"] =>
      compileNetwork({ enabled: true, enable_socks5: false, domains: { "127.0.0.1": "allow" }, ...extra } as never, () => ({ kind: "file", file: "/test/config.toml", line: 1 }));
    beforeAll(async () => {
      target = http.createServer((req, res) => {
        requests.push(req.url ?? "");
        res.end(`REACHED ${req.url}`);
      });
      targetPort = await new Promise<number>((r) => target.listen(0, "127.0.0.1", () => r((target.address() as { port: number }).port)));
      decoy = createServer((c) => c.end());
      decoyPort = await new Promise<number>((r) => decoy.listen(0, "127.0.0.1", () => r((decoy.address() as { port: number }).port)));
    });
    afterAll(() => {
      target.close();
      decoy.close();
    });

    /** Runs `script` through macosBackend.plan + launchPlan (which starts and stops the proxy). */
    async function run(script: string, network: ResolvedPolicy["network"] | Partial<ResolvedPolicy["network"]>, logDenials = false) {
      const plan = await planOf(policyFor(network), script);
      const proc = await launchPlan(plan, { stdio: ["ignore", "pipe", "pipe"], logDenials });
      let out = "";
      proc.child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
      proc.child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
      const status = await proc.exited;
      return { status, out };
    }

    it("allowed: curl reaches the allowed loopback server through the proxy; the proxy is gone afterwards", async () => {
      requests = [];
      const r = await run(`echo "proxy=$HTTP_PROXY"; /usr/bin/curl -sS http://127.0.0.1:${targetPort}/via-proxy`, table());
      expect(r.status.code, r.out).toBe(0);
      expect(r.out).toContain("REACHED /via-proxy");
      expect(requests).toEqual(["/via-proxy"]);
      const port = Number(/proxy=http:\/\/127\.0\.0\.1:(\d+)/.exec(r.out)?.[1]);
      expect(port).toBeGreaterThan(0);
      const stillListening = await new Promise<boolean>((resolve) => {
        const s = connect({ host: "127.0.0.1", port });
        s.once("connect", () => (s.destroy(), resolve(true)));
        s.once("error", () => resolve(false));
      });
      expect(stillListening).toBe(false);
    });

    it("denied host: the proxy answers 403 and --log-denials reports it", async () => {
      requests = [];
      const r = await run(`/usr/bin/curl -sS -o /dev/null -w '%{http_code}' http://blocked.example:${targetPort}/x`, table(), true);
      expect(r.out).toBe("403");
      expect(requests).toEqual([]);
      expect(r.status.denials).toContainEqual({ kind: "network", operation: "connect", target: `blocked.example:${targetPort}`, detail: "not_allowed" });
      expect(r.status.denialLogLimits.some((l) => l.includes("NET-20"))).toBe(true);
    });

    it("bypass: a direct connection that ignores the proxy variables fails (the server sees nothing)", async () => {
      requests = [];
      const direct = await run(`/usr/bin/curl -sS --noproxy '*' --max-time 5 http://127.0.0.1:${targetPort}/direct`, table());
      expect(direct.status.code).not.toBe(0);
      expect(direct.out).not.toContain("REACHED");
      const nc = await run(`/usr/bin/nc -z -w 2 127.0.0.1 ${decoyPort}`, table());
      expect(nc.status.code).not.toBe(0);
      expect(requests).toEqual([]);
      // Control: the same command through the proxy works.
      expect((await run(`/usr/bin/curl -sS http://127.0.0.1:${targetPort}/control`, table())).out).toContain("REACHED /control");
    });

    it("SOCKS5 (shared listener): ALL_PROXY=socks5h reaches the allowed server", async () => {
      const r = await run(`/usr/bin/curl -sS --proxy "$ALL_PROXY" http://127.0.0.1:${targetPort}/socks`, table({ enable_socks5: true }));
      expect(r.out).toContain("REACHED /socks");
    });

    it("network off: nothing is reachable, neither directly nor through any local port", async () => {
      requests = [];
      const r = await run(
        `echo "[$HTTP_PROXY]"; /usr/bin/curl -sS --max-time 5 http://127.0.0.1:${targetPort}/off; echo "rc=$?"; /usr/bin/curl -sS --max-time 5 --proxy http://127.0.0.1:${decoyPort} http://127.0.0.1:${targetPort}/off2; echo "rc=$?"`,
        { enabled: false },
      );
      expect(r.out).toContain("[]");
      expect(r.out).not.toContain("rc=0");
      expect(r.out).not.toContain("REACHED");
      expect(requests).toEqual([]);
    });
  });

  it("MAC-04: open(1) cannot launch anything through LaunchServices", async () => {
    const marker = join(outside, "opened");
    const payload = join(work, "payload.command");
    writeFileSync(payload, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    const r = await sh(`/usr/bin/open ${payload}`);
    expect(r.status).not.toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // LaunchServices would act asynchronously
    expect(existsSync(marker)).toBe(false);
  });

  it("MAC-10: a malformed profile fails and the command never runs", () => {
    const marker = join(outside, "ran");
    const r = spawnSync("/usr/bin/sandbox-exec", ["-p", "(version 1)(deny default", "--", "/usr/bin/touch", marker]);
    expect(r.status).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("--log-denials reports the denied read (best effort, from the unified log)", async () => {
    const plan = await planOf(policyFor(), `cat ${work}/.env`);
    const proc = await launchPlan(plan, { stdio: "ignore", logDenials: true });
    const status = await proc.exited;
    expect(status.code).not.toBe(0);
    expect(status.denialLogLimits.length).toBeGreaterThan(0);
    expect(status.denials.some((d) => d.kind === "file" && d.target.includes(".env")), JSON.stringify(status)).toBe(true);
  });

  it("exit codes and signals pass through", async () => {
    const plan = await planOf(policyFor(), "exit 42");
    expect((await (await launchPlan(plan, { stdio: "ignore" })).exited).code).toBe(42);
    const killed = await planOf(policyFor(), "kill -KILL $$");
    const status = await (await launchPlan(killed, { stdio: "ignore" })).exited;
    expect([status.code, status.signal]).toEqual([137, "SIGKILL"]);
  });

  it("abort kills the whole process tree", async () => {
    const controller = new AbortController();
    const marker = join(work, "survived");
    const plan = await planOf(policyFor(), `(sleep 3; touch ${marker}) & sleep 30`);
    const proc = await launchPlan(plan, { stdio: "ignore", signal: controller.signal });
    controller.abort();
    await proc.exited;
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(existsSync(marker)).toBe(false);
  });

  it("the minimal profile can start a shell and read system files, but not the home directory", async () => {
    const policy = makePolicy({ minimal: true, rules: [rule(work, "write")] });
    const ok = await sh(`/bin/echo started && /bin/cat /etc/hosts > /dev/null && echo read-etc`, policy);
    expect(ok.out, ok.err).toContain("read-etc");
    const home = process.env["HOME"] ?? "/Users";
    expect((await sh(`/bin/ls ${home}`, policy)).status).not.toBe(0);
  });
});
