// Every rule of spec section 5, for real: sandboxes (as root and as the unprivileged user) whose curl and
// node clients go through cordon's egress proxy to test servers on 127.0.0.1 and ::1. Names resolve
// through a fake resolver injected into spawn; host-side checks: what the servers received, and which
// names the proxy looked up.
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ensureTestUser, realRunBlocker, type RunAs } from "../helpers/sandbox.js";
import { CLIENT, domain, lines, netPolicy, runAsync, runDirsIn, runtimeDirOf, sh, startHttpServer, type CountingHttpServer, type NetRunResult } from "./net-harness.js";

const blocker = realRunBlocker();
if (blocker) console.warn(`SKIPPING the network rule tests: ${blocker}`);

/** curl printing `<http code>/<CONNECT code>` (000 when nothing came back); the proxy comes from the environment. */
const curl = (args: string) => `curl -s -m 10 -o /dev/null -w '%{http_code}/%{http_connect}' ${args}`;
const node = (args: string) => `${process.execPath} ${CLIENT} ${args}`;

let uid = 0;

beforeAll(() => {
  if (blocker) return;
  ensureBuilt();
  uid = ensureTestUser().uid;
});

/** Requests the 127.0.0.1 server received for a Host name (any port). */
const seen = (server: CountingHttpServer, host: string) => server.requests.filter((r) => r.host.replace(/:\d+$/, "") === host).length;

function expectRan(r: NetRunResult): Record<string, string> {
  expect(r.error, r.error).toBeUndefined();
  expect(r.refused, JSON.stringify(r.refused)).toBeUndefined();
  expect(r.code, r.stderr).toBe(0);
  return lines(r.stdout);
}

for (const as of ["root", "user"] as const satisfies readonly RunAs[]) {
  describe.runIf(!blocker)(`spec 5 through cordon's proxy, as ${as}`, () => {
    // Fresh servers per user, so the host-side counts belong to this user's runs only.
    let s4: CountingHttpServer;
    let s6: CountingHttpServer;
    beforeAll(async () => {
      s4 = await startHttpServer("127.0.0.1");
      s6 = await startHttpServer("::1");
    });
    afterAll(async () => {
      await s4?.close();
      await s6?.close();
    });
    describe("limited mode: exact, *. and **. patterns, deny wins (allow_local_binding so names may resolve to the loopback test server)", () => {
      let r: NetRunResult;
      let out: Record<string, string> = {};
      const names = ["exact.test", "sub.exact.test", "a.wild.test", "a.b.wild.test", "wild.test", "both.test", "x.both.test", "deny.both.test", "other.test", "node.test"];
      beforeAll(async () => {
        const P = s4.port;
        const policy = netPolicy({
          mode: "limited",
          allowLocalBinding: true,
          proxyUrl: "http://127.0.0.1:8080",
          socksUrl: "socks5://127.0.0.1:1080",
          domains: [domain("exact.test", "allow"), domain("*.wild.test", "allow"), domain("**.both.test", "allow"), domain("deny.both.test", "deny"), domain("node.test", "allow")],
        });
        const script = [
          `echo "env=$HTTP_PROXY $HTTPS_PROXY $http_proxy $https_proxy $ALL_PROXY $all_proxy [$NO_PROXY$no_proxy]"`,
          sh("exact", curl(`http://exact.test:${P}/`)),
          sh("exact_tunnel", curl(`-p http://exact.test:${P}/`)),
          sh("exact_spelling", curl(`http://EXACT.Test.:${P}/`)),
          sh("exact_sub", curl(`http://sub.exact.test:${P}/`)),
          sh("wild_one", curl(`http://a.wild.test:${P}/`)),
          sh("wild_deep", curl(`-p http://a.b.wild.test:${P}/`)),
          sh("wild_apex", curl(`http://wild.test:${P}/`)),
          sh("both_apex", curl(`http://both.test:${P}/`)),
          sh("both_sub", curl(`-p http://x.both.test:${P}/`)),
          sh("both_denied", curl(`http://deny.both.test:${P}/`)),
          sh("both_denied_tunnel", curl(`-p http://deny.both.test:${P}/`)),
          sh("other", curl(`http://other.test:${P}/`)),
          sh("literal_local", curl(`http://127.0.0.1:${P}/`)),
          sh("socks_allowed", curl(`--socks5-hostname 127.0.0.1:1080 http://a.wild.test:${P}/`)),
          sh("socks_denied", curl(`--socks5-hostname 127.0.0.1:1080 http://other.test:${P}/`)),
          sh("all_proxy", curl(`-x "$ALL_PROXY" http://both.test:${P}/`)),
          sh("node_connect", node(`connect node.test ${P}`)),
          sh("node_connect_denied", node(`connect other.test ${P}`)),
          sh("node_forward", node(`forward http://node.test:${P}/forwarded`)),
          sh("node_socks_udp", node("socks-udp")),
          sh("node_socks_connect", node(`socks-connect node.test ${P}`)),
        ].join("\n");
        const hosts = Object.fromEntries(names.map((n) => [n, ["127.0.0.1"]]));
        r = await runAsync(as, { policy, argv: ["sh", "-c", script], hosts, logDenials: true });
        out = expectRan(r);
      }, 60_000);

      it("sets every proxy variable to the bridge (explicit ports 8080 and 1080), NO_PROXY empty", () => {
        expect(out.env).toBe("http://127.0.0.1:8080 http://127.0.0.1:8080 http://127.0.0.1:8080 http://127.0.0.1:8080 socks5h://127.0.0.1:1080 socks5h://127.0.0.1:1080 []");
      });

      it("exact pattern: the host itself (forwarded, CONNECT, any case, trailing dot) — not its subdomains", () => {
        expect([out.exact, out.exact_tunnel, out.exact_spelling]).toEqual(["200/000", "200/200", "200/000"]);
        expect(out.exact_sub).toBe("403/000");
        expect(seen(s4, "exact.test")).toBeGreaterThanOrEqual(2);
        expect(seen(s4, "sub.exact.test")).toBe(0);
      });

      it("*.pattern: subdomains at any depth, not the apex", () => {
        expect([out.wild_one, out.wild_deep, out.wild_apex]).toEqual(["200/000", "200/200", "403/000"]);
        expect(seen(s4, "wild.test")).toBe(0);
      });

      it("**.pattern: apex and subdomains; a deny pattern wins over it (plain and CONNECT)", () => {
        expect([out.both_apex, out.both_sub]).toEqual(["200/000", "200/200"]);
        expect(out.both_denied).toBe("403/000");
        expect(out.both_denied_tunnel).toMatch(/^000\/403exit=56$/);
        expect(seen(s4, "deny.both.test")).toBe(0);
      });

      it("limited mode refuses what no pattern allows; allow_local_binding does not open local literals", () => {
        expect(out.other).toBe("403/000");
        expect(out.literal_local).toBe("403/000");
        expect(seen(s4, "other.test")).toBe(0);
        expect(seen(s4, "127.0.0.1")).toBe(0);
      });

      it("SOCKS5 with remote DNS on the separate SOCKS port (and through $ALL_PROXY): allowed and refused", () => {
        expect(out.socks_allowed).toBe("200/000");
        expect(out.socks_denied).toBe("000/000exit=97");
        expect(out.all_proxy).toBe("200/000");
      });

      it("node clients: CONNECT, absolute-form forwarding and SOCKS5 CONNECT; SOCKS5 UDP ASSOCIATE refused (enable_socks5_udp = false)", () => {
        expect(out.node_connect).toBe(`connect 200 hello node.test:${s4.port}`);
        expect(out.node_connect_denied).toBe("connect 403");
        expect(out.node_forward).toBe("forward 200");
        expect(s4.requests).toContainEqual({ host: `node.test:${s4.port}`, url: "/forwarded" });
        expect(out.node_socks_connect).toBe("socks-connect 0");
        expect(out.node_socks_udp).toBe("socks-udp 7");
      });

      it("the proxy looked up exactly the allowed names, never a refused one (NET-05)", () => {
        expect(new Set(r.lookups)).toEqual(new Set(["exact.test", "a.wild.test", "a.b.wild.test", "both.test", "x.both.test", "node.test"]));
      });

      it("--log-denials: each refusal as a network denial with its reason", () => {
        const P = s4.port;
        expect(r.denials).toContainEqual({ kind: "network", operation: "connect", target: `sub.exact.test:${P}`, detail: "not_allowed" });
        expect(r.denials).toContainEqual({ kind: "network", operation: "connect", target: `deny.both.test:${P}`, detail: "denied" });
        expect(r.denials).toContainEqual({ kind: "network", operation: "connect", target: `127.0.0.1:${P}`, detail: "not_allowed_local" });
        // Kernel-logged denials (seccomp, Landlock) of the run are merged into the same list (src/denials.ts).
        expect(r.denials?.some((d) => d.target.startsWith("exact.test:"))).toBe(false);
      });

      it("leaves no proxy directory or socket behind", () => {
        expect(r.launcherPid).toBeGreaterThan(0);
        expect(runDirsIn(runtimeDirOf(as, uid), r.launcherPid)).toEqual([]);
      });
    });

    describe("local and private targets (allow_local_binding = false, SOCKS5 off)", () => {
      let r: NetRunResult;
      let out: Record<string, string> = {};
      beforeAll(async () => {
        const P = s4.port;
        const policy = netPolicy({
          allowLocalBinding: false,
          enableSocks5: false,
          domains: [domain("localhost", "allow"), domain("name.test", "allow"), domain("*.wild.test", "allow")],
        });
        const script = [
          `echo "all=\${ALL_PROXY-unset}\${all_proxy-unset}"`,
          sh("name_private", curl(`http://name.test:${P}/`)),
          sh("wild_private", curl(`-p http://a.wild.test:${P}/`)),
          sh("localhost", curl(`http://localhost:${P}/`)),
          sh("literal", curl(`http://127.0.0.1:${P}/`)),
          sh("literal_v6", curl(`http://[::1]:${s6.port}/`)),
          sh("socks_off", `ALL_PROXY=socks5h://127.0.0.1:3128 ${node(`socks-connect localhost ${P}`)}`),
        ].join("\n");
        r = await runAsync(as, { policy, argv: ["sh", "-c", script], hosts: { "name.test": ["127.0.0.1"], "a.wild.test": ["10.1.2.3"], localhost: ["127.0.0.1"] }, logDenials: true });
        out = expectRan(r);
      }, 60_000);

      it("an allowed name that resolves to a private address is refused (the resolved address is checked)", () => {
        expect(out.name_private).toBe("403/000");
        expect(out.wild_private).toMatch(/^000\/403exit=56$/);
        expect(r.lookups).toEqual(expect.arrayContaining(["name.test", "a.wild.test"]));
        expect(seen(s4, "name.test")).toBe(0);
        // The denial names what the client asked for; the refused address is in the proxy's decision.
        expect(r.denials).toContainEqual({ kind: "network", operation: "connect", target: `name.test:${s4.port}`, detail: "not_allowed_local" });
        expect(r.denials).toContainEqual({ kind: "network", operation: "connect", target: `a.wild.test:${s4.port}`, detail: "not_allowed_local" });
      });

      it("localhost and 127.0.0.1 are different literals: only the exact one listed opens", () => {
        expect(out.localhost).toBe("200/000");
        expect(seen(s4, "localhost")).toBe(1);
        expect(out.literal).toBe("403/000");
        expect(out.literal_v6).toBe("403/000");
        expect(s6.requests.filter((q) => q.host.startsWith("[::1]")).length).toBe(0);
      });

      it("SOCKS5 off: ALL_PROXY names the HTTP proxy, and a SOCKS5 greeting is refused", () => {
        expect(out.all).toBe("http://127.0.0.1:3128http://127.0.0.1:3128");
        expect(out.socks_off).toBe("socks-connect method 255");
        expect(r.denials).toContainEqual({ kind: "network", operation: "connect", target: "(socks5 request)", detail: "command_not_supported" });
      });
    });

    describe('mode = "full", deny patterns, exact local literals, SOCKS5 with local and remote DNS', () => {
      let r: NetRunResult;
      let out: Record<string, string> = {};
      beforeAll(async () => {
        const P = s4.port;
        const policy = netPolicy({
          mode: "full",
          allowLocalBinding: true,
          enableSocks5Udp: true,
          domains: [domain("*.evil.test", "deny"), domain("127.0.0.1", "allow"), domain("::1", "allow")],
        });
        const script = [
          sh("any", curl(`http://random.test:${P}/`)),
          sh("evil_sub", curl(`http://x.evil.test:${P}/`)),
          sh("evil_apex", curl(`http://evil.test:${P}/`)),
          sh("literal", curl(`http://127.0.0.1:${P}/`)),
          sh("literal_v6", curl(`-p http://[::1]:${s6.port}/`)),
          sh("localhost", curl(`http://localhost:${P}/`)),
          sh("socks_local_dns_ip", curl(`--socks5 127.0.0.1:3128 http://127.0.0.1:${P}/`)),
          sh("socks_local_dns_name", curl(`--socks5 127.0.0.1:3128 http://localdns.test:${P}/`)),
          sh("socks_remote_dns", curl(`--socks5-hostname 127.0.0.1:3128 http://remote.test:${P}/`)),
          sh("socks_remote_denied", curl(`--socks5-hostname 127.0.0.1:3128 http://y.evil.test:${P}/`)),
          sh("node_socks_udp", node("socks-udp")),
          sh("node_socks_ip", node(`socks-connect 127.0.0.1 ${P}`)),
        ].join("\n");
        const hosts = { "random.test": ["127.0.0.1"], "evil.test": ["127.0.0.1"], "remote.test": ["127.0.0.1"], localdns: ["127.0.0.1"], localhost: ["127.0.0.1"] };
        r = await runAsync(as, { policy, argv: ["sh", "-c", script], hosts, logDenials: true });
        out = expectRan(r);
      }, 60_000);

      it("full mode allows every host no deny pattern matches; *.evil.test denies subdomains, not the apex", () => {
        expect(out.any).toBe("200/000");
        expect(out.evil_sub).toBe("403/000");
        expect(out.evil_apex).toBe("200/000");
        expect(seen(s4, "x.evil.test")).toBe(0);
      });

      it("exact local literals open (IPv4 and IPv6), other local names stay closed in full mode", () => {
        expect(out.literal).toBe("200/000");
        expect(out.literal_v6).toBe("200/200");
        expect(s6.requests.length).toBeGreaterThanOrEqual(1);
        expect(out.localhost).toBe("403/000");
      });

      it("SOCKS5 without remote DNS: an IP works, a name cannot even be resolved inside the sandbox", () => {
        expect(out.socks_local_dns_ip).toBe("200/000");
        expect(out.socks_local_dns_name).toMatch(/^000\/000exit=(6|97)$/);
        expect(r.lookups).not.toContain("localdns.test");
      });

      it("SOCKS5 with remote DNS: the proxy resolves allowed names, refuses denied ones unresolved", () => {
        expect(out.socks_remote_dns).toBe("200/000");
        expect(out.socks_remote_denied).toBe("000/000exit=97");
        expect(r.lookups).toContain("remote.test");
        expect(r.lookups).not.toContain("y.evil.test");
        expect(r.lookups).not.toContain("x.evil.test");
      });

      it("SOCKS5 UDP ASSOCIATE is refused even with enable_socks5_udp (the bridge is TCP only); CONNECT works (control)", () => {
        expect(out.node_socks_udp).toBe("socks-udp 7");
        expect(out.node_socks_ip).toBe("socks-connect 0");
      });
    });

    describe('"*" = "allow" in limited mode', () => {
      it("allows every name but never a local literal", async () => {
        const P = s4.port;
        const policy = netPolicy({ allowLocalBinding: true, domains: [domain("*", "allow")] });
        const script = [sh("any", curl(`http://star.test:${P}/`)), sh("literal", curl(`http://127.0.0.1:${P}/`)), sh("localhost", curl(`http://localhost:${P}/`))].join("\n");
        const out = expectRan(await runAsync(as, { policy, argv: ["sh", "-c", script], hosts: { "star.test": ["127.0.0.1"], localhost: ["127.0.0.1"] } }));
        expect(out).toEqual({ any: "200/000", literal: "403/000", localhost: "403/000" });
        expect(seen(s4, "star.test")).toBeGreaterThanOrEqual(1);
      }, 60_000);
    });

    describe("a running proxy lent to spawn (library entry point)", () => {
      it("is used instead of a new one and keeps running; its decisions show the sandbox's requests", async () => {
        const P = s4.port;
        const policy = netPolicy({ allowLocalBinding: true, enableSocks5: false, domains: [domain("lent.test", "allow")] });
        const script = [sh("allowed", curl(`http://lent.test:${P}/lent`)), sh("denied", curl(`http://other.test:${P}/`))].join("\n");
        const r = await runAsync(as, { policy, argv: ["sh", "-c", script], hosts: { "lent.test": ["127.0.0.1"] }, lendProxy: true, logDenials: true });
        expect(expectRan(r)).toEqual({ allowed: "200/000", denied: "403/000" });
        expect(r.decisions?.map((d) => `${d.host} ${d.decision}`)).toEqual(["lent.test allow", "other.test deny"]);
        expect(r.denials?.filter((d) => d.kind === "network")).toEqual([{ kind: "network", operation: "connect", target: `other.test:${P}`, detail: "not_allowed" }]);
        expect(s4.requests).toContainEqual({ host: `lent.test:${P}`, url: "/lent" });
      }, 60_000);
    });

    describe("allow_upstream_proxy chains through the launcher's HTTPS_PROXY (not the policy environment)", () => {
      let upstream: http.Server;
      let upstreamPort = 0;
      const tunnels: string[] = [];
      beforeAll(async () => {
        upstream = http.createServer((_, res) => res.writeHead(405).end());
        upstream.on("connect", (req: http.IncomingMessage, client: net.Socket) => {
          tunnels.push(req.url ?? "");
          const [host, port] = (req.url ?? "").split(/:(?=\d+$)/);
          const target = net.connect({ host: host!, port: Number(port) }, () => {
            client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            target.pipe(client).pipe(target);
          });
          target.on("error", () => client.destroy());
          client.on("error", () => target.destroy());
        });
        await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
        upstreamPort = (upstream.address() as net.AddressInfo).port;
      });
      afterAll(() => upstream?.close());

      const run = (allowUpstreamProxy: boolean) => {
        const policy = netPolicy({ allowLocalBinding: true, allowUpstreamProxy, domains: [domain("up.test", "allow")] });
        const withPolicyEnv = { ...policy, environment: { ...policy.environment, HTTPS_PROXY: "http://127.0.0.1:1" } };
        return runAsync(as, {
          policy: withPolicyEnv,
          argv: ["sh", "-c", sh("up", curl(`-p http://up.test:${s4.port}/`))],
          hosts: { "up.test": ["127.0.0.1"] },
          launcherEnv: { HTTPS_PROXY: `http://127.0.0.1:${upstreamPort}` },
        });
      };

      it("chains allowed targets through the host proxy, naming the checked address", async () => {
        tunnels.length = 0;
        expect(expectRan(await run(true)).up).toBe("200/200");
        expect(tunnels).toEqual([`127.0.0.1:${s4.port}`]);
      }, 60_000);

      it("control: without allow_upstream_proxy the host proxy is not used", async () => {
        tunnels.length = 0;
        expect(expectRan(await run(false)).up).toBe("200/200");
        expect(tunnels).toEqual([]);
      }, 60_000);
    });
  });
}
