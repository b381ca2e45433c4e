// Unit tests of the network part of the pure planner: bridge ports, proxy environment, socket mounts,
// seccomp and Landlock settings, and the refusals (Landlock-only mode, allowed unix sockets).
import { describe, expect, it } from "vitest";
import { planLinux } from "../../src/plan/plan.js";
import { DEFAULT_PROXY_PORT, planNetwork, proxyEnvironment, SANDBOX_NET_DIR, socketPlaceholder } from "../../src/network/network-plan.js";
import type { LinuxPlan } from "../../src/types.js";
import { makeFacts, rule } from "../helpers/policy.js";
import { domain, netPolicy } from "./net-harness.js";

const CMD = { argv: ["curl", "x"], cwd: "/w", env: { PATH: "/usr/bin", HTTP_PROXY: "http://host-proxy:1", NO_PROXY: "*", ALL_PROXY: "socks5://host:2", KEEP: "1" } };

function plan(network: Parameters<typeof netPolicy>[0], facts = makeFacts()): LinuxPlan {
  const r = planLinux(netPolicy(network, "/w"), CMD, facts);
  if (!r.ok) throw new Error(JSON.stringify(r.refusal));
  return r.plan;
}
function helperArgs(p: LinuxPlan): string[] {
  const i = p.argv.indexOf("/opt/cordon/cordon-exec");
  return p.argv.slice(i + 1, p.argv.indexOf("--", i));
}

describe("planNetwork: ports", () => {
  it("port 0 → the fixed default port 3128, SOCKS5 on the same endpoint", () => {
    const n = planNetwork(netPolicy({}).network);
    expect(n).toMatchObject({ httpPort: DEFAULT_PROXY_PORT, socksPort: DEFAULT_PROXY_PORT, proxyHost: "127.0.0.1" });
    expect(n.routes).toEqual([{ port: 3128, endpoint: "proxy", sandboxPath: `${SANDBOX_NET_DIR}/proxy.sock` }]);
  });

  it("an explicit proxy port is kept; socks_url on port 0 or the same port shares the endpoint", () => {
    expect(planNetwork(netPolicy({ proxyUrl: "http://127.0.0.1:8080" }).network)).toMatchObject({ httpPort: 8080, socksPort: 8080 });
    expect(planNetwork(netPolicy({ proxyUrl: "http://127.0.0.1:8080", socksUrl: "socks5://127.0.0.1:8080" }).network).routes).toHaveLength(1);
  });

  it("a different socks_url port gets its own bridge route to a SOCKS5-only socket", () => {
    const n = planNetwork(netPolicy({ proxyUrl: "http://127.0.0.1:0", socksUrl: "socks5h://127.0.0.1:1080" }).network);
    expect(n).toMatchObject({ httpPort: 3128, socksPort: 1080 });
    expect(n.routes).toEqual([
      { port: 3128, endpoint: "proxy", sandboxPath: `${SANDBOX_NET_DIR}/proxy.sock` },
      { port: 1080, endpoint: "socks", sandboxPath: `${SANDBOX_NET_DIR}/socks.sock` },
    ]);
  });

  it("enable_socks5 = false: no SOCKS5 port, whatever socks_url says", () => {
    const n = planNetwork(netPolicy({ enableSocks5: false, socksUrl: "socks5://127.0.0.1:1080" }).network);
    expect(n.socksPort).toBeNull();
    expect(n.routes.map((r) => r.port)).toEqual([3128]);
  });

  it("[::1] and localhost listen URLs", () => {
    expect(planNetwork(netPolicy({ proxyUrl: "http://[::1]:9000" }).network)).toMatchObject({ proxyHost: "[::1]", httpPort: 9000 });
    expect(planNetwork(netPolicy({ proxyUrl: "http://localhost:0" }).network)).toMatchObject({ proxyHost: "127.0.0.1", httpPort: 3128 });
  });

  it("an unvalidated listen URL is a programming error, not a silent default", () => {
    expect(() => planNetwork(netPolicy({ proxyUrl: "http://10.0.0.1:80" }).network)).toThrow('cordon: unexpected proxy listen URL "http://10.0.0.1:80"');
  });
});

describe("proxyEnvironment", () => {
  it("points every proxy variable at the bridge, overriding host values, NO_PROXY empty", () => {
    const env = proxyEnvironment(CMD.env, planNetwork(netPolicy({ socksUrl: "socks5://127.0.0.1:1080" }).network));
    expect(env).toEqual({
      PATH: "/usr/bin",
      KEEP: "1",
      HTTP_PROXY: "http://127.0.0.1:3128",
      HTTPS_PROXY: "http://127.0.0.1:3128",
      http_proxy: "http://127.0.0.1:3128",
      https_proxy: "http://127.0.0.1:3128",
      ALL_PROXY: "socks5h://127.0.0.1:1080",
      all_proxy: "socks5h://127.0.0.1:1080",
      NO_PROXY: "",
      no_proxy: "",
    });
  });

  it("points ALL_PROXY (inherited or not) at the HTTP proxy when SOCKS5 is off", () => {
    const env = proxyEnvironment({ ...CMD.env, all_proxy: "x" }, planNetwork(netPolicy({ enableSocks5: false }).network));
    expect(env.ALL_PROXY).toBe("http://127.0.0.1:3128");
    expect(env.all_proxy).toBe("http://127.0.0.1:3128");
  });
});

describe("planLinux with network enabled", () => {
  it("bridges the proxy port, mounts the run's socket read-only at a fixed path, seccomp proxy mode", () => {
    const p = plan({ socksUrl: "socks5://127.0.0.1:1080" });
    expect(helperArgs(p)).toEqual(["--spec-fd", "3", "--bridge", `3128=${SANDBOX_NET_DIR}/proxy.sock,1080=${SANDBOX_NET_DIR}/socks.sock`]);
    const args = p.argv.join(" ");
    expect(args).toContain(`--perms 0555 --tmpfs ${SANDBOX_NET_DIR} --ro-bind ${socketPlaceholder("proxy")} ${SANDBOX_NET_DIR}/proxy.sock --ro-bind ${socketPlaceholder("socks")} ${SANDBOX_NET_DIR}/socks.sock`);
    expect(args).toContain(`--remount-ro ${SANDBOX_NET_DIR}`);
    expect(args.indexOf(`--tmpfs ${SANDBOX_NET_DIR}`)).toBeGreaterThan(args.indexOf("--dev /dev"));
    expect(p.argv).toContain("--unshare-net");
    expect(p.seccomp).toEqual({ network: "proxy", allowUnixSockets: false });
    expect(p.execSpec?.landlock).toMatchObject({ tcpConnectPorts: [3128, 1080], denyTcpBind: true });
    expect(p.env).toMatchObject({ HTTPS_PROXY: "http://127.0.0.1:3128", ALL_PROXY: "socks5h://127.0.0.1:1080", NO_PROXY: "", KEEP: "1" });
    expect(p.network?.policy.enabled).toBe(true);
    expect(p.notes.join("\n")).toContain("the only route out is cordon's egress proxy");
  });

  it("the socket placeholders are relative paths, so bwrap fails if one were ever left unreplaced", () => {
    expect(socketPlaceholder("proxy").startsWith("/")).toBe(false);
  });

  it("allow_local_binding: TCP bind and connect inside the namespace's loopback (Landlock leaves TCP alone)", () => {
    expect(plan({ allowLocalBinding: true }).execSpec?.landlock).toMatchObject({ tcpConnectPorts: null, denyTcpBind: false });
  });

  it("Landlock below ABI 4 cannot filter TCP: the namespace alone confines it", () => {
    expect(plan({}, makeFacts({ landlockAbi: 3 })).execSpec?.landlock).toMatchObject({ tcpConnectPorts: null, denyTcpBind: false });
  });

  it("network disabled: no bridge, no socket, seccomp none, no TCP, env untouched", () => {
    const r = planLinux({ ...netPolicy({}, "/w"), network: { ...netPolicy({}).network, enabled: false, domains: [domain("*", "allow")] } }, CMD, makeFacts());
    if (!r.ok) throw new Error("refused");
    expect(r.plan.network).toBeNull();
    expect(r.plan.argv.join(" ")).not.toContain("--bridge");
    expect(r.plan.argv.join(" ")).not.toContain(SANDBOX_NET_DIR);
    expect(r.plan.argv).toContain("--unshare-net");
    expect(r.plan.seccomp).toEqual({ network: "none", allowUnixSockets: false });
    expect(r.plan.execSpec?.landlock).toMatchObject({ tcpConnectPorts: [], denyTcpBind: true });
    expect(r.plan.env).toEqual(CMD.env);
  });

  it("notes that SOCKS5 UDP cannot be offered through the TCP bridge", () => {
    expect(plan({ enableSocks5Udp: true }).notes.join("\n")).toContain("enable_socks5_udp has no effect here");
  });

  it("refuses network in Landlock-only mode (no private network namespace)", () => {
    const r = planLinux(netPolicy({}, "/w"), CMD, makeFacts({ mode: "landlock-only" }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusal).toContainEqual({
      rule: "permissions.test-profile.network.enabled = true",
      reason:
        "network access needs a private network namespace (bubblewrap), so that the egress proxy is the only route out; Landlock alone cannot stop UDP or reaching host services through the proxy port (Landlock-only mode, because it was requested)",
    });
  });

  it("refuses an allowed unix socket unless the helper mediates unix sockets", () => {
    const policy = { ...netPolicy({}, "/w"), network: { ...netPolicy({}).network, unixSockets: [{ path: "/run/a.sock", decision: "allow" as const, origin: { kind: "builtin" as const } }] } };
    const refused = planLinux(policy, CMD, makeFacts());
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.refusal[0]?.rule).toBe('unix_sockets."/run/a.sock" = "allow" (builtin)');
  });

  it("with unix socket mediation: the allowed paths (canonical) go to the helper, seccomp allows AF_UNIX, masked sockets are bound in", () => {
    const origin = { kind: "builtin" as const };
    const base = netPolicy({}, "/w");
    const policy = {
      ...base,
      filesystem: { ...base.filesystem, rules: [rule("/", "read"), rule("/run", "deny")] },
      network: { ...base.network, unixSockets: [{ path: "/var/run/docker.sock", decision: "allow" as const, origin }, { path: "/run/other.sock", decision: "deny" as const, origin }] },
    };
    const facts = makeFacts({ unixSocketMediation: true, canonical: { "/var/run/docker.sock": "/run/docker.sock" } }, { "/var/run": { kind: "symlink", nlink: 1 }, "/run/docker.sock": { kind: "other", nlink: 1 }, "/run": { kind: "directory", nlink: 1 } });
    const r = planLinux(policy, CMD, facts);
    if (!r.ok) throw new Error(JSON.stringify(r.refusal));
    expect(r.plan.execSpec?.unixSockets).toEqual({ allow: ["/run/docker.sock"] });
    expect(r.plan.seccomp).toEqual({ network: "proxy", allowUnixSockets: true });
    const args = r.plan.argv.join(" ");
    expect(args).toContain("--tmpfs /run");
    expect(args).toContain("--ro-bind /run/docker.sock /run/docker.sock");
    expect(args.indexOf("--ro-bind /run/docker.sock")).toBeGreaterThan(args.indexOf("--tmpfs /run"));
    expect(args).not.toContain("other.sock");
  });

  it("refuses an allowed unix socket whose directory the sandbox can write (a rename could swap another socket in)", () => {
    const origin = { kind: "builtin" as const };
    const base = netPolicy({}, "/w");
    const policy = {
      ...base,
      filesystem: { ...base.filesystem, rules: [rule("/", "read"), rule("/w", "write")] },
      network: { ...base.network, unixSockets: [{ path: "/w/sock/app.sock", decision: "allow" as const, origin }] },
    };
    const facts = makeFacts({ unixSocketMediation: true }, { "/w/sock/app.sock": { kind: "other", nlink: 1 }, "/w/sock": { kind: "directory", nlink: 1 } });
    const r = planLinux(policy, CMD, facts);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.refusal[0]?.rule).toBe('unix_sockets."/w/sock/app.sock" = "allow" (builtin)');
      expect(r.refusal[0]?.reason).toContain("/w/sock is writable inside the sandbox");
    }
  });

  it("without allowed unix sockets no mediation is asked for, even when available (seccomp denies AF_UNIX outright)", () => {
    const p = plan({}, makeFacts({ unixSocketMediation: true }));
    expect(p.execSpec).not.toHaveProperty("unixSockets");
    expect(p.seccomp).toEqual({ network: "proxy", allowUnixSockets: false });
  });

  it("the planner still refuses what it refused before (a policy with rules crossing writable symlinks) with network on", () => {
    const r = planLinux({ ...netPolicy({}, "/w"), filesystem: { ...netPolicy({}).filesystem, rules: [rule("/", "read"), rule("/w", "write"), rule("/w/l/x", "deny")] } }, CMD, makeFacts({}, { "/w/l": { kind: "symlink", nlink: 1 } }));
    expect(r.ok).toBe(false);
  });
});
