// Attack suite (threat catalogue FS/PROC/ENV/RES): real sandboxes, as root and as an unprivileged user.
// Every denied case has an allowed control beside it, and host-side state is checked after the run.
import { execFileSync, spawn as spawnHost, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProtectedPath } from "@cordon/policy-model";
import { denyGlob, makePolicy, rule } from "../helpers/policy.js";
import { PACKAGE_DIR, TEST_USER, buildProbe, canary, chownTree, ensureBuilt, ensureTestUser, fixtureDir, probes, realRunBlocker, runSandboxed, type RunAs, type RunResult } from "../helpers/sandbox.js";

const blocker = realRunBlocker();
if (blocker) console.warn(`SKIPPING the Linux attack suite: ${blocker}`);

for (const as of ["root", "user"] as const satisfies readonly RunAs[]) {
  describe.runIf(!blocker)(`attack suite as ${as}`, () => {
    const secret = canary();
    const hostEnvCanary = canary();
    let F = "";
    let WS = "";
    let probe = "";
    let victim: ChildProcess | undefined;
    let result: RunResult = {};
    let got: Record<string, string> = {};
    const shmFile = `/dev/shm/cordon-canary-${as}-${process.pid}`;

    const policyFor = () => {
      const protectedPaths: ProtectedPath[] = [
        { path: `${WS}/.git`, reason: "metadata", name: ".git", root: WS, state: "directory", preventCreation: false },
        { path: `${WS}/.codex`, reason: "metadata", name: ".codex", root: WS, state: "missing", preventCreation: true },
        { path: `${WS}/.agents`, reason: "metadata", name: ".agents", root: WS, state: "missing", preventCreation: true },
      ];
      return makePolicy({
        rules: [rule("/", "read"), rule(WS, "write"), rule(`${WS}/secrets`, "deny"), rule(`${F}/outside`, "deny")],
        denyGlobs: [denyGlob(`${WS}/**/*.env`, WS)],
        protectedPaths,
        cwd: WS,
        environment: { PATH: "/usr/bin:/bin", HOME: WS },
      });
    };

    beforeAll(() => {
      ensureBuilt();
      const owner = ensureTestUser();
      F = fixtureDir(as, `attack-${as}`);
      WS = path.join(F, "ws");
      for (const d of ["ws/sub", "ws/secrets", "ws/.git/hooks", "outside", "bin"]) mkdirSync(path.join(F, d), { recursive: true });
      writeFileSync(path.join(WS, ".env"), secret);
      writeFileSync(path.join(WS, "sub/prod.env"), secret);
      writeFileSync(path.join(WS, "secrets/key"), secret);
      writeFileSync(path.join(F, "outside/secret.txt"), secret);
      writeFileSync(path.join(WS, "readme.txt"), "readable\n");
      writeFileSync(path.join(WS, "sub/notes.txt"), "notes\n");
      writeFileSync(path.join(WS, ".git/config"), "[core]\n");
      writeFileSync(shmFile, secret);
      probe = buildProbe(path.join(F, "bin"));
      if (as === "user") chownTree(WS, owner), chownTree(path.join(F, "outside"), owner);
      // A host process of the same user for the kill/ptrace probes.
      victim = as === "root" ? spawnHost("sleep", ["120"]) : spawnHost("runuser", ["-u", TEST_USER, "--", "sleep", "120"]);
      const victimPid = as === "root" ? victim.pid! : Number(execFileSync("sh", ["-c", `sleep 0.3; pgrep -n -u ${TEST_USER} -x sleep`], { encoding: "utf8" }).trim());
      const script = `
p() { n=$1; shift; if "$@" >/dev/null 2>&1; then echo "PROBE $n ok"; else echo "PROBE $n denied"; fi; }
P=${probe}; WS=${WS}; F=${F}
p write_outside sh -c "echo x > $F/outside-new"
p write_etc touch /etc/cordon-evil-${process.pid}
p write_ws sh -c "echo x > $WS/created.txt"
p read_env cat $WS/.env
p read_readme cat $WS/readme.txt
p read_glob_sub cat $WS/sub/prod.env
p read_notes cat $WS/sub/notes.txt
p read_secrets cat $WS/secrets/key
p list_secrets ls $WS/secrets
p write_secrets touch $WS/secrets/new
p read_outside cat $F/outside/secret.txt
ln -s $WS/secrets/key $WS/lnk 2>/dev/null; p symlink_to_denied cat $WS/lnk
ln -s $F/outside/secret.txt $WS/lnk2 2>/dev/null; p symlink_to_outside cat $WS/lnk2
p hardlink_outside ln $F/outside/secret.txt $WS/hl
p hardlink_env ln $WS/.env $WS/hl2
p rename_mask mv $WS/.env $WS/moved.env
p rename_secrets mv $WS/secrets $WS/s2
p rm_mask rm -f $WS/.env
p git_config_write sh -c "echo x >> $WS/.git/config"
p git_hook_create touch $WS/.git/hooks/pre-commit
p git_config_read cat $WS/.git/config
p codex_create mkdir -p $WS/.codex/x
p codex_file touch $WS/.codex/config.toml
p agents_create touch $WS/.agents/a
p nested_git_plant sh -c "mkdir -p $WS/nested/.git && echo x > $WS/nested/.git/config"
p umount_mask $P umount $WS/.env
p remount_git $P remount-rw $WS/.git
p mount_tmpfs $P mount-tmpfs $WS/sub
p nested_userns $P userns
p io_uring $P iouring
p kill_host $P kill0 ${victimPid}
p ptrace_host $P ptrace ${victimPid}
p dev_shm_host cat ${shmFile}
p proc_sys_write sh -c "cat /proc/sys/kernel/core_pattern > /proc/sys/kernel/core_pattern"
p keyring $P keysearch
echo "PROBE fds $($P fds)"
echo "PROBE dev $(ls /dev | tr '\\n' ' ')"
echo "PROBE env $(env | tr '\\n' ' ')"
echo "PROBE pid1env $(tr '\\0' ' ' < /proc/1/environ 2>/dev/null)"
setsid sleep 31.${process.pid} > /dev/null 2>&1 &
echo "PROBE forks $($P forks 150)"
cat $WS/.env $WS/sub/prod.env $WS/secrets/key $F/outside/secret.txt 2>/dev/null
exit 7
`;
      result = runSandboxed(as, policyFor(), ["sh", "-c", script], { hostCanary: hostEnvCanary }, [probe, "with-key", secret]);
      got = probes(result.stdout);
      if (process.env.CORDON_TEST_DEBUG) console.log(as, result, got);
    }, 180_000);

    afterAll(() => {
      victim?.kill();
      rmSync(shmFile, { force: true });
      if (F) rmSync(F, { recursive: true, force: true });
    });

    it("ran, with the command's exit code passed through and no canary in any output", () => {
      expect(result.error).toBeUndefined();
      expect(result.refused).toBeUndefined();
      expect(result.code).toBe(7);
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    });

    it("FS-01: writes outside writable roots fail and leave nothing on the host; the workspace is writable", () => {
      expect(got.write_outside).toBe("denied");
      expect(got.write_etc).toBe("denied");
      expect(existsSync(`${F}/outside-new`)).toBe(false);
      expect(existsSync(`/etc/cordon-evil-${process.pid}`)).toBe(false);
      expect(got.write_ws).toBe("ok");
      expect(readFileSync(`${WS}/created.txt`, "utf8")).toBe("x\n");
    });

    it("FS-02/glob: denied files and glob matches are unreadable; neighbours are readable", () => {
      expect(got.read_env).toBe("denied");
      expect(got.read_glob_sub).toBe("denied");
      expect(got.read_secrets).toBe("denied");
      expect(got.list_secrets).toBe("denied");
      expect(got.write_secrets).toBe("denied");
      expect(got.read_outside).toBe("denied");
      expect(got.read_readme).toBe("ok");
      expect(got.read_notes).toBe("ok");
      expect(existsSync(`${WS}/secrets/new`)).toBe(false);
    });

    it("FS-07/FS-10: symlinks and new hard links do not reach denied files", () => {
      expect(got.symlink_to_denied).toBe("denied");
      expect(got.symlink_to_outside).toBe("denied");
      expect(got.hardlink_outside).toBe("denied");
      expect(got.hardlink_env).toBe("denied");
      expect(existsSync(`${WS}/hl`)).toBe(false);
    });

    it("FS-09: masked paths cannot be renamed or removed; the host files are intact", () => {
      expect(got.rename_mask).toBe("denied");
      expect(got.rename_secrets).toBe("denied");
      expect(got.rm_mask).toBe("denied");
      expect(readFileSync(`${WS}/.env`, "utf8")).toBe(secret);
      expect(readFileSync(`${WS}/secrets/key`, "utf8")).toBe(secret);
    });

    it("FS-04/4.4: protected metadata is read-only, missing metadata cannot be created, and no placeholder is left on the host", () => {
      expect(got.git_config_write).toBe("denied");
      expect(got.git_hook_create).toBe("denied");
      expect(got.git_config_read).toBe("ok");
      expect(readFileSync(`${WS}/.git/config`, "utf8")).toBe("[core]\n");
      expect(existsSync(`${WS}/.git/hooks/pre-commit`)).toBe(false);
      expect(got.codex_create).toBe("denied");
      expect(got.codex_file).toBe("denied");
      expect(got.agents_create).toBe("denied");
      expect(existsSync(`${WS}/.codex`)).toBe(false); // FS-05: the placeholder was removed after exit
      expect(existsSync(`${WS}/.agents`)).toBe(false);
    });

    it("known limit (spec 4.4 protects metadata only directly under writable roots): a nested .git can be planted", () => {
      expect(got.nested_git_plant).toBe("ok");
    });

    it("FS-29/FS-30/PROC-16: no mount, umount, remount or nested user namespace; /proc/sys is not writable", () => {
      expect(got.umount_mask).toBe("denied");
      expect(got.remount_git).toBe("denied");
      expect(got.mount_tmpfs).toBe("denied");
      expect(got.nested_userns).toBe("denied");
      expect(got.proc_sys_write).toBe("denied");
    });

    it("PROC-01/PROC-04/PROC-11/PROC-10: no signals or ptrace to host processes, no io_uring, no inherited keyring", () => {
      expect(got.kill_host).toBe("denied");
      expect(got.ptrace_host).toBe("denied");
      expect(got.io_uring).toBe("denied");
      expect(got.keyring).toBe("denied");
      // controls: the same probes outside the sandbox, as the same user, succeed
      const outside = (args: string[]) => spawnSync(as === "root" ? args[0]! : "runuser", as === "root" ? args.slice(1) : ["-u", TEST_USER, "--", ...args], { encoding: "utf8" }).stdout.trim();
      expect(outside([probe, "iouring"])).toBe("ok");
      expect(outside([probe, "with-key", "K1", probe, "keysearch"])).toBe("ok K1");
    });

    it("ENV-07/FS-28: only stdio fds inside, a minimal private /dev without host /dev/shm content", () => {
      expect(got.fds?.trim()).toBe("0 1 2");
      expect(got.dev_shm_host).toBe("denied");
      const dev = (got.dev ?? "").trim().split(/\s+/);
      for (const entry of dev) expect(["console", "core", "fd", "full", "mqueue", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"]).toContain(entry);
      expect(dev).not.toContain("vda");
      expect(dev).not.toContain("kvm");
    });

    it("ENV: the command sees exactly the policy environment, never the launcher's", () => {
      expect(got.env).toContain(`HOME=${WS}`);
      expect(got.env).not.toContain(hostEnvCanary);
      expect(got.env).not.toContain("CORDON_TEST_HOST_CANARY");
      expect(got.pid1env ?? "").not.toContain(hostEnvCanary);
    });

    it("PROC-05/RES-01: a fork storm is survived and nothing outlives the sandbox", () => {
      expect(got.forks).toMatch(/^forked \d+$/);
      const left = spawnSync("pgrep", ["-f", `sleep 31.${process.pid}`], { encoding: "utf8" }).stdout.trim();
      expect(left).toBe("");
      expect(spawnSync("pgrep", ["-f", `${probe} forks`], { encoding: "utf8" }).stdout.trim()).toBe("");
    });
  });
}

describe.runIf(!blocker)("PROC-06 TIOCSTI", () => {
  it("cannot push input into the terminal it was started from; the control outside can", () => {
    ensureBuilt();
    const F = fixtureDir("root", "tiocsti");
    const probe = buildProbe(path.join(F, "bin"));
    const input = path.join(F, "input.json");
    writeFileSync(input, JSON.stringify({ policy: makePolicy({ rules: [rule("/", "read")], cwd: "/" }), argv: [probe, "tiocsti"], ttyStdin: true }));
    const inside = spawnSync("script", ["-qec", `${process.execPath} ${PACKAGE_DIR}/test/helpers/runner.mjs ${input}`, "/dev/null"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const json = JSON.parse(/\{.*\}/s.exec(inside.stdout)![0]) as RunResult;
    expect(json.stdout).toMatch(/^err E(PERM|IO|NOTTY)/);
    const control = spawnSync("script", ["-qec", `${probe} tiocsti`, "/dev/null"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(control.stdout).toContain("ok");
    rmSync(F, { recursive: true, force: true });
  }, 60_000);
});
