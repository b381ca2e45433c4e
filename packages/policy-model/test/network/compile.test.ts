// compileNetwork: defaults, domain pattern validation, listen URLs, unix sockets, error texts.
import { describe, expect, it } from "vitest";
import { CordonError } from "../../src/errors.js";
import type { Origin } from "../../src/origin.js";
import type { NetworkTable } from "../../src/schema.js";
import { compileNetwork } from "../../src/network/compile.js";

const FILE = "/etc/cordon/config.toml";
/** Every key gets a distinct, predictable line so messages can be checked exactly. */
function originOf(keyPath: readonly string[]): Origin {
  return { kind: "file", file: FILE, line: 10 + keyPath.join(".").length };
}
const lineOf = (keyPath: readonly string[]): number => 10 + keyPath.join(".").length;

function compileError(table: NetworkTable): CordonError {
  try {
    compileNetwork(table, originOf);
  } catch (error) {
    expect(error).toBeInstanceOf(CordonError);
    return error as CordonError;
  }
  throw new Error("expected compileNetwork to throw");
}

describe("compileNetwork defaults", () => {
  it("no table → network off, limited, loopback ephemeral listeners", () => {
    expect(compileNetwork(undefined, originOf)).toEqual({
      enabled: false,
      mode: "limited",
      allowLocalBinding: false,
      enableSocks5: true,
      enableSocks5Udp: false,
      proxyUrl: "http://127.0.0.1:0",
      socksUrl: "socks5://127.0.0.1:0",
      allowUpstreamProxy: false,
      domains: [],
      unixSockets: [],
    });
  });

  it("every key overrides its default", () => {
    const net = compileNetwork(
      {
        enabled: true,
        mode: "full",
        allow_local_binding: true,
        enable_socks5: false,
        enable_socks5_udp: true,
        proxy_url: "http://localhost:3128",
        socks_url: "socks5h://[::1]:1080",
        allow_upstream_proxy: true,
      },
      originOf,
    );
    expect(net).toMatchObject({
      enabled: true,
      mode: "full",
      allowLocalBinding: true,
      enableSocks5: false,
      enableSocks5Udp: true,
      proxyUrl: "http://localhost:3128",
      socksUrl: "socks5h://[::1]:1080",
      allowUpstreamProxy: true,
    });
  });

  it("rejects wrong value types with E_SCHEMA naming the key", () => {
    const e = compileError({ enabled: "yes" } as unknown as NetworkTable);
    expect(e.code).toBe("E_SCHEMA");
    expect(e.message).toBe(`${FILE}:${lineOf(["enabled"])}: key enabled: enabled must be true or false`);
    const m = compileError({ mode: "open" } as unknown as NetworkTable);
    expect(m.message).toBe(`${FILE}:${lineOf(["mode"])}: key mode: mode must be "limited" or "full"`);
  });
});

describe("compileNetwork domains", () => {
  it("normalizes patterns and keeps each rule's origin", () => {
    const net = compileNetwork(
      {
        domains: {
          "Example.COM.": "allow",
          "*.Example.org": "allow",
          "**.example.net": "allow",
          "*": "allow",
          "Evil.Example.com": "deny",
          "[::1]": "allow",
          "127.1": "allow",
          "Bücher.example": "allow",
        },
      },
      originOf,
    );
    expect(net.domains.map((r) => [r.pattern, r.decision])).toEqual([
      ["example.com", "allow"],
      ["*.example.org", "allow"],
      ["**.example.net", "allow"],
      ["*", "allow"],
      ["evil.example.com", "deny"],
      ["::1", "allow"],
      ["127.0.0.1", "allow"],
      ["xn--bcher-kva.example", "allow"],
    ]);
    expect(net.domains[0]?.origin).toEqual(originOf(["domains", "Example.COM."]));
  });

  it("two spellings of one pattern collapse to one rule, and the deny is kept", () => {
    const net = compileNetwork({ domains: { "example.com": "deny", "EXAMPLE.com.": "allow" } }, originOf);
    expect(net.domains).toEqual([{ pattern: "example.com", decision: "deny", origin: originOf(["domains", "example.com"]) }]);
    const reversed = compileNetwork({ domains: { "EXAMPLE.com.": "allow", "example.com": "deny" } }, originOf);
    expect(reversed.domains.map((r) => r.decision)).toEqual(["deny"]);
  });

  it('"*" = "deny" is an error with the reference text', () => {
    const e = compileError({ domains: { "*": "deny" } });
    expect(e.code).toBe("E_DOMAIN");
    expect(e.keyPath).toEqual(["domains", "*"]);
    expect(e.message).toBe(
      `${FILE}:${lineOf(["domains", "*"])}: key domains."*": unsupported global wildcard domain pattern "*"; use exact hosts or scoped wildcards like *.example.com or **.example.com`,
    );
  });

  it.each([
    ["region*.example.com", 'unsupported wildcard in domain pattern "region*.example.com"; a wildcard may only be the whole first label: "*.example.com" (subdomains) or "**.example.com" (apex and subdomains)'],
    ["*.*.example.com", 'unsupported wildcard in domain pattern "*.*.example.com"; a wildcard may only be the whole first label: "*.example.com" (subdomains) or "**.example.com" (apex and subdomains)'],
    ["example.*", 'unsupported wildcard in domain pattern "example.*"; a wildcard may only be the whole first label: "*.example.com" (subdomains) or "**.example.com" (apex and subdomains)'],
    ["ex?mple.com", 'unsupported wildcard in domain pattern "ex?mple.com"; a wildcard may only be the whole first label: "*.example.com" (subdomains) or "**.example.com" (apex and subdomains)'],
    ["**", 'unsupported wildcard in domain pattern "**"; a wildcard may only be the whole first label: "*.example.com" (subdomains) or "**.example.com" (apex and subdomains)'],
    ["*example.com", 'unsupported wildcard in domain pattern "*example.com"; a wildcard may only be the whole first label: "*.example.com" (subdomains) or "**.example.com" (apex and subdomains)'],
    ["example.com:443", 'domain pattern "example.com:443" must not contain a port; a rule applies to every port of the host'],
    ["[::1]:443", 'domain pattern "[::1]:443" must not contain a port; a rule applies to every port of the host'],
    ["https://example.com", 'domain pattern "https://example.com" must be a host name, not a URL: no scheme, user, path or query'],
    ["example.com/path", 'domain pattern "example.com/path" must be a host name, not a URL: no scheme, user, path or query'],
    ["user@example.com", 'domain pattern "user@example.com" must be a host name, not a URL: no scheme, user, path or query'],
    ["*.10.0.0.1", 'domain pattern "*.10.0.0.1" puts a wildcard on an IP address; list IP addresses exactly'],
    ["**.127.0.0.1", 'domain pattern "**.127.0.0.1" puts a wildcard on an IP address; list IP addresses exactly'],
    ["10.0.0.0/8", 'domain pattern "10.0.0.0/8" is a CIDR range; ranges are not supported, list each IP address exactly'],
    ["fd00::/8", 'domain pattern "fd00::/8" is a CIDR range; ranges are not supported, list each IP address exactly'],
    ["exa mple.com", 'invalid domain pattern "exa mple.com": not a valid host name or IP address'],
    ["example..com", 'invalid domain pattern "example..com": not a valid host name or IP address'],
    ["example.123", 'invalid domain pattern "example.123": not a valid host name or IP address'],
    ["*.", 'invalid domain pattern "*.": not a valid host name or IP address'],
    ["", "empty domain pattern; use an exact host like example.com or a wildcard like *.example.com"],
    ["  ", "empty domain pattern; use an exact host like example.com or a wildcard like *.example.com"],
  ])("%j is rejected: %s", (pattern, detail) => {
    for (const decision of ["allow", "deny"] as const) {
      const e = compileError({ domains: { [pattern]: decision } });
      expect(e.code).toBe("E_DOMAIN");
      expect(e.keyPath).toEqual(["domains", pattern]);
      expect(e.origin).toEqual(originOf(["domains", pattern]));
      expect(e.message.endsWith(`: ${detail}`)).toBe(true);
      expect(e.message.startsWith(`${FILE}:${lineOf(["domains", pattern])}: key domains.`)).toBe(true);
    }
  });

  it("a domain decision other than allow/deny is a schema error", () => {
    const e = compileError({ domains: { "example.com": "none" } } as unknown as NetworkTable);
    expect(e.code).toBe("E_SCHEMA");
    expect(e.message).toBe(`${FILE}:${lineOf(["domains", "example.com"])}: key domains."example.com": a domain rule must be "allow" or "deny" (got "none")`);
  });
});

describe("compileNetwork listen URLs", () => {
  it.each([
    ["proxy_url", "http://127.0.0.1:0", "http://127.0.0.1:0"],
    ["proxy_url", "HTTP://LOCALHOST:8080/", "http://localhost:8080"],
    ["proxy_url", "http://[::1]:3128", "http://[::1]:3128"],
    ["socks_url", "socks5://127.0.0.1:1080", "socks5://127.0.0.1:1080"],
    ["socks_url", "socks5h://localhost:0", "socks5h://localhost:0"],
  ] as const)("%s = %j → %j", (key, value, canonical) => {
    const net = compileNetwork({ [key]: value }, originOf);
    expect(key === "proxy_url" ? net.proxyUrl : net.socksUrl).toBe(canonical);
  });

  it.each([
    ["proxy_url", "http://0.0.0.0:3128", 'proxy_url must listen on loopback (127.0.0.1, [::1] or localhost), not "0.0.0.0": a proxy on another address would be reachable from other machines'],
    ["proxy_url", "http://192.168.1.5:3128", 'proxy_url must listen on loopback (127.0.0.1, [::1] or localhost), not "192.168.1.5": a proxy on another address would be reachable from other machines'],
    ["socks_url", "socks5://[::]:1080", 'socks_url must listen on loopback (127.0.0.1, [::1] or localhost), not "[::]": a proxy on another address would be reachable from other machines'],
    ["proxy_url", "http://127.0.0.1", 'proxy_url must name its port explicitly, e.g. "http://127.0.0.1:0" (0 = ephemeral)'],
    ["proxy_url", "http://127.0.0.1:", 'proxy_url must name its port explicitly, e.g. "http://127.0.0.1:0" (0 = ephemeral)'],
    ["socks_url", "socks5://localhost", 'socks_url must name its port explicitly, e.g. "socks5://127.0.0.1:0" (0 = ephemeral)'],
    ["proxy_url", "http://127.0.0.1:65536", "proxy_url port must be between 0 and 65535 (got 65536)"],
    ["proxy_url", "https://127.0.0.1:0", 'proxy_url must use http:// (got "https://127.0.0.1:0")'],
    ["socks_url", "http://127.0.0.1:0", 'socks_url must use socks5:// or socks5h:// (got "http://127.0.0.1:0")'],
    ["proxy_url", "http://u:p@127.0.0.1:0", 'proxy_url must be scheme://host:port with no user, path, query or fragment, e.g. "http://127.0.0.1:0" (got "http://u:p@127.0.0.1:0")'],
    ["proxy_url", "http://127.0.0.1:0/x", 'proxy_url must be scheme://host:port with no user, path, query or fragment, e.g. "http://127.0.0.1:0" (got "http://127.0.0.1:0/x")'],
    ["proxy_url", "127.0.0.1:0", 'proxy_url must be scheme://host:port with no user, path, query or fragment, e.g. "http://127.0.0.1:0" (got "127.0.0.1:0")'],
    ["proxy_url", 3128, 'proxy_url must be a string like "http://127.0.0.1:0"'],
  ] as const)("%s = %j is rejected", (key, value, detail) => {
    const e = compileError({ [key]: value } as unknown as NetworkTable);
    expect(e.code).toBe("E_SCHEMA");
    expect(e.keyPath).toEqual([key]);
    expect(e.message).toBe(`${FILE}:${lineOf([key])}: key ${key}: ${detail}`);
  });
});

describe("compileNetwork unix sockets", () => {
  it('keeps final decisions, maps "none" to "deny", normalizes paths', () => {
    const net = compileNetwork(
      {
        unix_sockets: {
          "/var/run/docker.sock": "allow",
          "/run/user/1000/bus": "none",
          "/tmp/x/../agent.sock/": "deny",
          "C:\\Users\\me\\app.sock": "allow",
        },
      },
      originOf,
    );
    expect(net.unixSockets).toEqual([
      { path: "/var/run/docker.sock", decision: "allow", origin: originOf(["unix_sockets", "/var/run/docker.sock"]) },
      { path: "/run/user/1000/bus", decision: "deny", origin: originOf(["unix_sockets", "/run/user/1000/bus"]) },
      { path: "/tmp/agent.sock", decision: "deny", origin: originOf(["unix_sockets", "/tmp/x/../agent.sock/"]) },
      { path: "C:\\Users\\me\\app.sock", decision: "allow", origin: originOf(["unix_sockets", "C:\\Users\\me\\app.sock"]) },
    ]);
  });

  it("two spellings of one socket keep the deny", () => {
    const net = compileNetwork({ unix_sockets: { "/a/s.sock": "deny", "/a//s.sock": "allow" } }, originOf);
    expect(net.unixSockets.map((r) => [r.path, r.decision])).toEqual([["/a/s.sock", "deny"]]);
  });

  it("the list is kept even when the network is disabled", () => {
    const net = compileNetwork({ enabled: false, unix_sockets: { "/var/run/docker.sock": "allow" } }, originOf);
    expect(net.unixSockets).toHaveLength(1);
  });

  it.each(["~/.docker/run/docker.sock", "docker.sock", "./docker.sock", "@abstract", "", "/a\u0000b"])("%j is rejected", (path) => {
    const e = compileError({ unix_sockets: { [path]: "allow" } });
    expect(e.code).toBe("E_PATH");
    expect(e.keyPath).toEqual(["unix_sockets", path]);
    expect(e.message.endsWith(
      `: unix socket path ${JSON.stringify(path)} must be absolute (e.g. "/var/run/docker.sock"); "~" and relative or abstract names are not accepted`,
    )).toBe(true);
  });

  it("a value other than allow/deny/none is a schema error", () => {
    const e = compileError({ unix_sockets: { "/x.sock": "read" } } as unknown as NetworkTable);
    expect(e.code).toBe("E_SCHEMA");
    expect(e.message).toBe(`${FILE}:${lineOf(["unix_sockets", "/x.sock"])}: key unix_sockets."/x.sock": a unix socket rule must be "allow", "deny" or "none" (got "read")`);
  });
});
