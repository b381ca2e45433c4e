// Fail-closed tests (FC): when something cannot be enforced the run is refused with the rule and the
// reason, and the command never runs (its marker file never appears). Also Landlock-only mode for real.
import { nativeFacts } from "../../src/host/native-facts.js";
import { spawn as spawnHost, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync, chmodSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { denyGlob, makePolicy, rule } from "../helpers/policy.js";
import { TEST_USER, buildProbe, canary, chownTree, ensureBuilt, ensureTestUser, fixtureDir, probes, realRunBlocker, runSandboxed, type RunAs } from "../helpers/sandbox.js";

const blocker = realRunBlocker();
if (blocker) console.warn(`SKIPPING the Linux fail-closed suite: ${blocker}`);

for (const as of ["root", "user"] as const satisfies readonly RunAs[]) {
  describe.runIf(!blocker)(`fail closed as ${as}`, () => {
    let F = "";
    let WS = "";
    let marker = "";
    const touch = () => ["sh", "-c", `touch ${marker}`];
    const basePolicy = (extra: Parameters<typeof makePolicy>[0]["rules"] = []) => makePolicy({ rules: [rule("/", "read"), rule(WS, "write"), ...extra], cwd: WS });

    beforeAll(() => {
      ensureBuilt();
      const owner = ensureTestUser();
      F = fixtureDir(as, `fc-${as}`);
      WS = path.join(F, "ws");
      mkdirSync(path.join(WS, "docs"), { recursive: true });
      mkdirSync(path.join(WS, "locked"), { recursive: true });
      writeFileSync(path.join(WS, ".env"), canary());
      if (as === "user") chownTree(WS, owner);
      chownTree(path.join(WS, "locked"), { uid: 0, gid: 0 });
      chmodSync(path.join(WS, "locked"), 0o700);
      marker = path.join(WS, "marker");
    }, 180_000);
    afterAll(() => F && rmSync(F, { recursive: true, force: true }));

    const expectRefusedAndNotRun = (r: ReturnType<typeof runSandboxed>, text: string) => {
      expect(r.error).toBeUndefined();
      expect(r.refused, JSON.stringify(r)).toBeDefined();
      expect(r.refused!.map((x) => `${x.rule}: ${x.reason}`).join("\n")).toContain(text);
      expect(existsSync(marker)).toBe(false);
    };

    it("control: the same command runs when everything is enforceable", () => {
      const r = runSandboxed(as, basePolicy(), touch());
      expect(r.code).toBe(0);
      expect(existsSync(marker)).toBe(true);
      rmSync(marker);
    });

    it("FC-04: no bubblewrap → refused, naming the package", () => {
      expectRefusedAndNotRun(runSandboxed(as, basePolicy(), touch(), { forceMode: "bwrap", factOverrides: { bwrap: null } }), "apt-get install bubblewrap");
    });

    it("FC-04: no user namespaces → refused, naming the sysctl", () => {
      expectRefusedAndNotRun(runSandboxed(as, basePolicy(), touch(), { forceMode: "bwrap", factOverrides: { userNamespaces: false } }), "kernel.apparmor_restrict_unprivileged_userns=0");
    });

    it("native helper missing → refused, never run without it", () => {
      expectRefusedAndNotRun(runSandboxed(as, basePolicy(), touch(), { forceMode: "bwrap", factOverrides: { execHelper: null } }), "native helper not built");
    });

    it("FC-01: Landlock-only mode on an old Landlock ABI → refused", () => {
      expectRefusedAndNotRun(runSandboxed(as, basePolicy(), touch(), { forceMode: "landlock-only", factOverrides: { landlockAbi: 3 } }), "Landlock-only mode needs Landlock ABI 6");
    });

    it("FC-05: a rule shape Landlock-only cannot express → refused naming the rule", () => {
      const r = runSandboxed(as, basePolicy([rule(`${WS}/docs`, "read")]), touch(), { forceMode: "landlock-only" });
      expectRefusedAndNotRun(r, `"${WS}/docs" = "read" (/etc/cordon/config.toml:7): ${WS}/docs would be writable: Landlock cannot make read-only a path inside an allowed tree`);
    });

    // Once cordon-exec mediates unix sockets (native.ts supportsUnixSocketMediation), the policy runs instead
    // (test/network/unix-sockets.test.ts covers that).
    if (nativeFacts().unixSocketMediation) console.warn("fail-closed: SKIPPING the allowed-unix-socket refusal: this cordon-exec mediates unix sockets");
    it.runIf(!nativeFacts().unixSocketMediation)("FC-05: an allowed unix socket → refused while cordon-exec cannot mediate unix sockets", () => {
      const policy = makePolicy({ rules: [rule("/", "read"), rule(WS, "write")], cwd: WS, networkEnabled: true, unixSockets: [{ path: "/run/docker.sock", decision: "allow" }] });
      expectRefusedAndNotRun(runSandboxed(as, policy, touch()), "allowing a unix socket is not supported by this cordon-exec");
    });

    it("FC-05: network enabled in Landlock-only mode → refused (no private network namespace)", () => {
      const policy = makePolicy({ rules: [rule("/", "read"), rule(WS, "write")], cwd: WS, networkEnabled: true });
      expectRefusedAndNotRun(runSandboxed(as, policy, touch(), { forceMode: "landlock-only" }), "network access needs a private network namespace (bubblewrap)");
    });

    it(`glob scan of a root-owned 0700 directory under the glob base: ${as === "user" ? "unreadable → refused" : "readable by root → scanned and run"}`, () => {
      const policy = makePolicy({ rules: [rule("/", "read"), rule(WS, "write")], denyGlobs: [denyGlob(`${WS}/**/*.env`, WS)], cwd: WS });
      const r = runSandboxed(as, policy, touch());
      if (as === "user") expectRefusedAndNotRun(r, "the deny-glob scan failed");
      else {
        expect(r.code, JSON.stringify(r)).toBe(0);
        expect(existsSync(marker)).toBe(true);
        rmSync(marker);
      }
    });

    it("glob scan error reported by the scanner (facts) → refused", () => {
      expectRefusedAndNotRun(runSandboxed(as, basePolicy(), touch(), { forceMode: "bwrap", factOverrides: { globMatches: { error: "EIO: i/o error, scandir" } } }), "EIO: i/o error, scandir");
    });

    it("FS-12: a denied path that is a symlink in a writable root → refused, and nothing is created on the host", () => {
      const link = path.join(WS, "planted.env");
      const target = path.join(F, "would-be-created");
      execFileSync("ln", ["-sfn", target, link]);
      const r = runSandboxed(as, basePolicy([rule(link, "deny")]), touch());
      expectRefusedAndNotRun(r, `crosses the symlink ${link}, which the sandbox can write`);
      expect(existsSync(target)).toBe(false);
      rmSync(link);
    });

    it("FS-06: a denied file with a hard-link alias → refused", () => {
      const file = path.join(WS, "key.pem");
      writeFileSync(file, "k");
      execFileSync("ln", ["-f", file, path.join(WS, "innocent.txt")]);
      expectRefusedAndNotRun(runSandboxed(as, basePolicy([rule(file, "deny")]), touch()), `cannot enforce deny on ${file}: it has 2 hard links`);
      rmSync(file);
      rmSync(path.join(WS, "innocent.txt"));
    });
  });
}

for (const as of ["root", "user"] as const satisfies readonly RunAs[]) {
  describe.runIf(!blocker)(`Landlock-only mode for real as ${as}`, () => {
    it("enforces an expressible profile: workspace writable, everything else read-only, no signals out", () => {
      const owner = ensureTestUser();
      ensureBuilt();
      const F = fixtureDir(as, `ll-${as}`);
      const WS = path.join(F, "ws");
      mkdirSync(WS);
      if (as === "user") chownTree(WS, owner);
      const probe = buildProbe(path.join(F, "bin"));
      const victim = as === "root" ? spawnHost("sleep", ["60"]) : spawnHost("runuser", ["-u", TEST_USER, "--", "sleep", "60"]);
      const pid = as === "root" ? victim.pid! : Number(execFileSync("sh", ["-c", `sleep 0.3; pgrep -n -u ${TEST_USER} -x sleep`], { encoding: "utf8" }).trim());
      const script = `p() { n=$1; shift; if "$@" >/dev/null 2>&1; then echo "PROBE $n ok"; else echo "PROBE $n denied"; fi; }
p write_ws sh -c "echo ok > ${WS}/w"
p write_outside sh -c "echo x > ${F}/outside"
p write_tmp sh -c "echo x > /tmp/cordon-ll-${process.pid}"
p kill_host ${probe} kill0 ${pid}
p io_uring ${probe} iouring
echo "PROBE fds $(${probe} fds)"`;
      const r = runSandboxed(as, makePolicy({ rules: [rule("/", "read"), rule(WS, "write")], cwd: WS }), ["sh", "-c", script], { forceMode: "landlock-only" });
      victim.kill();
      const got = probes(r.stdout);
      expect(r.code, JSON.stringify(r)).toBe(0);
      expect(got.write_ws).toBe("ok");
      expect(readFileSync(`${WS}/w`, "utf8")).toBe("ok\n");
      expect(got.write_outside).toBe("denied");
      expect(existsSync(`${F}/outside`)).toBe(false);
      expect(got.write_tmp).toBe("denied");
      expect(existsSync(`/tmp/cordon-ll-${process.pid}`)).toBe(false);
      expect(got.kill_host).toBe("denied");
      expect(got.io_uring).toBe("denied");
      expect(got.fds?.trim()).toBe("0 1 2");
      rmSync(F, { recursive: true, force: true });
    }, 60_000);
  });
}
