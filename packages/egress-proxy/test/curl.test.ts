// Real clients: curl through the proxy (plain HTTP, CONNECT tunnel, SOCKS5 with local and remote
// DNS). Runs when curl is installed; otherwise says so loudly.
import { execFile } from "node:child_process";
import fs from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EgressProxy } from "../src/index.js";
import { fakeResolver, proxyFor, startServers, type TestServers } from "./helpers.js";

const CURL = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].find((p) => fs.existsSync(p));
if (!CURL) console.warn("SKIPPED: curl.test.ts needs curl (not found in /usr/bin, /usr/local/bin, /bin)");

/** Runs curl asynchronously (the proxy lives in this process) with no proxy variables inherited. */
function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(CURL as string, ["-sS", "--max-time", "10", ...args], { env: { PATH: "/usr/bin:/bin" } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe.runIf(CURL !== undefined)("curl through the proxy", () => {
  let servers: TestServers;
  let proxy: EgressProxy | undefined;
  beforeAll(async () => {
    servers = await startServers();
  });
  afterAll(async () => {
    await servers.close();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  const proxyUrl = (scheme: string): string => `${scheme}://127.0.0.1:${(proxy!.http as { port: number }).port}`;

  it("plain HTTP: allowed → 200 from the server, denied → 403 with the JSON body", async () => {
    const dns = fakeResolver({ "api.example.com": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "api.example.com": "allow", "127.0.0.1": "allow" }, allow_local_binding: true }, { resolve: dns.resolve });
    const ok = await curl(["-x", proxyUrl("http"), `http://api.example.com:${servers.http4}/curl`]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ url: "/curl", host: `api.example.com:${servers.http4}` });
    const no = await curl(["-x", proxyUrl("http"), "-w", "\\n%{http_code}", `http://denied.example:${servers.http4}/?q=SECRET`]);
    const [body, code] = no.stdout.split("\n");
    expect(code).toBe("403");
    expect(JSON.parse(body as string)).toMatchObject({ status: "blocked", host: "denied.example", reason: "not_allowed" });
    expect(dns.calls).toEqual(["api.example.com"]);
  });

  it("CONNECT tunnel (-p): allowed works, denied fails with the proxy's 403", async () => {
    proxy = await proxyFor({ domains: { "127.0.0.1": "allow" } });
    const ok = await curl(["-p", "-x", proxyUrl("http"), `http://127.0.0.1:${servers.http4}/tunnel`]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ url: "/tunnel" });
    const no = await curl(["-p", "-x", proxyUrl("http"), `http://127.0.0.2:${servers.http4}/`]);
    expect(no.code).toBe(56); // CURLE_RECV_ERROR: "CONNECT tunnel failed, response 403"
    expect(no.stderr).toContain("403");
  });

  it("SOCKS5 with remote DNS (socks5h) and local addresses (socks5)", async () => {
    const dns = fakeResolver({ "api.example.com": ["127.0.0.1"] });
    proxy = await proxyFor({ domains: { "api.example.com": "allow", "127.0.0.1": "allow" }, allow_local_binding: true }, { resolve: dns.resolve });
    const remote = await curl(["-x", proxyUrl("socks5h"), `http://api.example.com:${servers.http4}/socks`]);
    expect(remote.code).toBe(0);
    expect(JSON.parse(remote.stdout)).toMatchObject({ url: "/socks" });
    expect(dns.calls).toEqual(["api.example.com"]);
    const literal = await curl(["-x", proxyUrl("socks5"), `http://127.0.0.1:${servers.http4}/lit`]);
    expect(literal.code).toBe(0);
    const denied = await curl(["-x", proxyUrl("socks5h"), `http://evil.example.com:${servers.http4}/`]);
    expect(denied.code).toBe(97); // CURLE_PROXY: the SOCKS5 server refused (0x02)
    expect(dns.calls).toEqual(["api.example.com"]);
  });
});
