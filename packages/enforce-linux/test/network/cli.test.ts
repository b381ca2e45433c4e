// `cordon run` with network enabled, end to end through the built CLI (the host's real resolver, so only
// literals and localhost): the proxy environment, allowed and refused targets, --log-denials, and no
// route around the proxy — as root and as the unprivileged user.
import { spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ensureTestUser, PACKAGE_DIR, realRunBlocker, TEST_USER, type RunAs } from "../helpers/sandbox.js";
import { lines, sh, startHttpServer, type CountingHttpServer } from "./net-harness.js";

const CLI = path.resolve(PACKAGE_DIR, "../../apps/cli/dist/main.js");
const blocker = realRunBlocker() ?? (existsSync(CLI) ? undefined : `the CLI is not built (${CLI}); run npx turbo run build`);
if (blocker) console.warn(`SKIPPING the cordon run network tests: ${blocker}`);

const curl = (args: string) => `curl -s -m 10 -o /dev/null -w '%{http_code}/%{http_connect}' ${args}`;

function cordonRun(as: RunAs, repo: string, home: string, argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = [process.execPath, CLI, "run", "--log-denials", "--", ...argv];
  const [cmd, ...args] = as === "root" ? base : ["runuser", "-u", TEST_USER, "--", ...base];
  const child = spawn(cmd!, args, { cwd: repo, env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: home, CORDON_HOME: home, CORDON_SYSTEM_DIR: path.join(home, "system"), HTTPS_PROXY: "http://127.0.0.1:9" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on("error", (error) => resolve({ code: null, stdout, stderr: String(error) }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

for (const as of ["root", "user"] as const satisfies readonly RunAs[]) {
  describe.runIf(!blocker)(`cordon run with network, as ${as}`, () => {
    let server: CountingHttpServer;
    let root = "";
    beforeAll(async () => {
      ensureBuilt();
      const owner = ensureTestUser();
      server = await startHttpServer("127.0.0.1");
      root = mkdtempSync("/tmp/cordon-netcli-");
      chmodSync(root, 0o755);
      const repo = path.join(root, "repo");
      const home = path.join(root, "home");
      mkdirSync(path.join(repo, ".git"), { recursive: true });
      mkdirSync(path.join(home, "system"), { recursive: true });
      writeFileSync(
        path.join(home, "config.toml"),
        `default_permissions = "web"\n[permissions.web]\nextends = ":workspace"\n[permissions.web.network]\nenabled = true\n[permissions.web.network.domains]\n"127.0.0.1" = "allow"\n"*.evil.test" = "deny"\n`,
      );
      // The unprivileged user owns its workspace (it must write there) and reads its config.
      if (as === "user") for (const d of [repo, path.join(repo, ".git")]) chownSync(d, owner.uid, owner.gid);
    });
    afterAll(async () => {
      await server?.close();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it("reaches an allowed literal through the proxy, refuses the rest, and --log-denials lists the refusals", async () => {
      const P = server.port;
      const script = [
        `echo "env=$HTTPS_PROXY|$ALL_PROXY|$NO_PROXY|$CORDON_SANDBOX"`,
        sh("allowed", curl(`http://127.0.0.1:${P}/allowed`)),
        sh("localhost", curl(`http://localhost:${P}/localhost`)),
        sh("evil", curl(`-p https://x.evil.test/`)),
        sh("noproxy", curl(`--noproxy '*' http://127.0.0.1:${P}/noproxy`)),
      ].join("\n");
      const r = await cordonRun(as, path.join(root, "repo"), path.join(root, "home"), ["sh", "-c", script]);
      expect(r.code, r.stderr).toBe(0);
      const out = lines(r.stdout);
      expect(out.env).toBe("http://127.0.0.1:3128|socks5h://127.0.0.1:3128||web");
      expect(out.allowed).toBe("200/000");
      expect(out.localhost).toBe("403/000");
      expect(out.evil).toBe("000/403exit=56");
      expect(out.noproxy).toBe("000/000exit=7");
      expect(server.requests.map((q) => q.url)).toEqual(["/allowed"]);
      expect(r.stderr).toContain(`cordon: denied network connect localhost:${P} (not_allowed_local)`);
      expect(r.stderr).toContain("cordon: denied network connect x.evil.test:443 (denied)");
      expect(r.stderr).not.toContain(`connect 127.0.0.1:${P} (`);
    }, 60_000);

    it("network disabled (the default :workspace): cordon adds no proxy, and nothing is reachable", async () => {
      const home = path.join(root, "home-off");
      mkdirSync(path.join(home, "system"), { recursive: true });
      chmodSync(home, 0o755);
      const before = server.connections;
      const script = [`echo "env=\${HTTPS_PROXY-unset}"`, sh("direct", curl(`http://127.0.0.1:${server.port}/off`))].join("\n");
      const r = await cordonRun(as, path.join(root, "repo"), home, ["sh", "-c", script]);
      expect(r.code, r.stderr).toBe(0);
      const out = lines(r.stdout);
      expect(out.env).toBe("http://127.0.0.1:9"); // the policy environment, untouched: cordon adds no proxy
      expect(out.direct).toBe("000/000exit=7");
      expect(server.connections).toBe(before);
    }, 60_000);
  });
}
