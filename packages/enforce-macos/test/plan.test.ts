import { describe, expect, it } from "vitest";
import { macosBackend } from "../src/backend.js";
import { bindProxyPorts, planFor } from "../src/plan.js";
import { command, makePolicy, rule, workspacePolicy } from "./helpers/policy.js";

describe("planFor", () => {
  it("builds /usr/bin/sandbox-exec -p PROFILE -D … -- CMD with the command's cwd and env", () => {
    const result = macosBackend.planFor(workspacePolicy(), command);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { plan } = result;
    expect(plan.mode).toBe("sandbox-exec");
    expect(plan.argv[0]).toBe("/usr/bin/sandbox-exec");
    expect(plan.argv.at(-4)).toBe("--");
    expect(plan.cwd).toBe(command.cwd);
    expect(plan.env).toEqual(command.env);
    expect(plan.network).toEqual({ enabled: false, proxyPorts: [], awaitingProxy: false });
    expect(plan.limits.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it(":danger-full-access runs the command itself, without a profile", () => {
    const result = planFor(makePolicy({ unrestricted: true }), command);
    expect(result.ok && result.plan).toMatchObject({ mode: "unsandboxed", argv: command.argv, profile: null });
  });

  it("refuses a policy resolved for another platform", () => {
    expect(planFor(makePolicy({ platform: "linux" }), command)).toEqual({
      ok: false,
      refusal: [{ rule: "platform linux", reason: 'the policy was resolved for another platform; resolve it with platform "macos"' }],
    });
  });

  it("refuses an empty command", () => {
    const result = planFor(workspacePolicy(), { ...command, argv: [] });
    expect(result.ok ? [] : result.refusal).toEqual([{ rule: "command", reason: "no command to run" }]);
  });

  it("refuses paths Seatbelt parameters cannot carry", () => {
    const result = planFor(makePolicy({ rules: [rule("/r/a\nb", "read"), rule(`/${"x".repeat(1100)}`, "read"), rule("relative", "read")] }), command);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.refusal.map((r) => r.reason)).toEqual([
      'path "/r/a\\nb" contains a control character, which Seatbelt parameters cannot carry',
      "path is longer than 1023 bytes, which Seatbelt cannot match",
      'path "relative" is not an absolute POSIX path',
    ]);
    expect(result.refusal[0]!.rule).toBe("/r/a\nb (/cfg/config.toml:7)");
  });

  it("refuses a bad denial tag", () => {
    const result = planFor(workspacePolicy(), command, { logTag: 'x") (allow default' });
    expect(result.ok ? [] : result.refusal).toEqual([{ rule: "denial log tag", reason: "must be 1-64 letters, digits or '-'" }]);
  });
});

describe("network planning", () => {
  it("network on with an ephemeral proxy port: plan waits for the port and lets nothing out", () => {
    const result = planFor(workspacePolicy({ network: { enabled: true } }), command);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.network).toEqual({ enabled: true, proxyPorts: [], awaitingProxy: true });
    expect(result.plan.profile).not.toContain("network-outbound");
    expect(result.plan.env).not.toHaveProperty("HTTP_PROXY");

    const bound = bindProxyPorts(result.plan, [43123, 43124]);
    expect(bound.ok).toBe(true);
    if (!bound.ok) return;
    expect(bound.plan.network).toEqual({ enabled: true, proxyPorts: [43123, 43124], awaitingProxy: false });
    expect(bound.plan.profile).toContain('(remote ip "localhost:43123")');
    expect(bound.plan.env["HTTPS_PROXY"]).toBe("http://127.0.0.1:43123");
  });

  it("uses fixed ports from proxy_url and socks_url; ALL_PROXY points at SOCKS5 when enabled", () => {
    const result = planFor(workspacePolicy({ network: { enabled: true, enableSocks5: true, proxyUrl: "http://127.0.0.1:3128", socksUrl: "socks5://localhost:1080" } }), command);
    expect(result.ok && result.plan.network.proxyPorts).toEqual([1080, 3128]);
    const bound = bindProxyPorts((result as { plan: Parameters<typeof bindProxyPorts>[0] }).plan, [3128, 1080]);
    expect(bound.ok && bound.plan.env).toMatchObject({ HTTP_PROXY: "http://127.0.0.1:3128", ALL_PROXY: "socks5h://127.0.0.1:1080", all_proxy: "socks5h://127.0.0.1:1080" });
  });

  it("refuses a proxy that does not listen on loopback", () => {
    const result = planFor(workspacePolicy({ network: { enabled: true, proxyUrl: "http://10.0.0.5:3128" } }), command);
    expect(result.ok ? [] : result.refusal).toEqual([
      { rule: "proxy address http://10.0.0.5:3128", reason: expect.stringContaining("must listen on 127.0.0.1, ::1 or localhost") },
    ]);
  });

  it("refuses SOCKS5 UDP (no fixed port to allow) and invalid ports", () => {
    const udp = planFor(workspacePolicy({ network: { enabled: true, enableSocks5Udp: true } }), command, { proxyPorts: [1080] });
    expect(udp.ok ? [] : udp.refusal.map((r) => r.rule)).toEqual(["network.enable_socks5_udp = true"]);
    const bad = planFor(workspacePolicy({ network: { enabled: true } }), command, { proxyPorts: [0, 70000] });
    expect(bad.ok ? [] : bad.refusal.map((r) => r.reason)).toEqual(["0 is not a TCP port number", "70000 is not a TCP port number"]);
  });
});
