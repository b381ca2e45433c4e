// Landlock through cordon-exec, for real: reads, writes (checked on the host), /proc/self/fd reopen,
// exec rights, TCP rules, scopes, and fail-closed refusals — as root (Landlock holds for root too) and unprivileged.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecSpec } from "../../src/exec-spec.js";
import { loadNative } from "../../src/native.js";
import { BASE_SPEC, createWorkspace, isLinux, landlockSpec, ownedDir, runHelper, TEST_USERS, type Workspace } from "./harness.js";

const abi = isLinux ? loadNative().landlockAbi() : 0;
if (isLinux && abi === 0) console.warn("landlock tests: SKIPPED — this kernel has no Landlock");

let ws: Workspace;
beforeAll(() => {
  if (isLinux && abi > 0) ws = createWorkspace();
});
afterAll(() => ws?.cleanup());

function listen(server: net.Server, address: net.ListenOptions): Promise<number> {
  return new Promise((resolve) => server.listen(address, () => resolve((server.address() as net.AddressInfo | null)?.port ?? 0)));
}

describe.runIf(isLinux && abi > 0)("Landlock via cordon-exec", () => {
  for (const user of TEST_USERS) {
    describe(user.name, () => {
      const spec = (extra: { path: string; rights: "read" | "write" }[], overrides: Partial<NonNullable<ExecSpec["landlock"]>> = {}): ExecSpec => ({
        ...BASE_SPEC,
        landlock: landlockSpec(ws, extra, overrides),
      });

      it("allows reads beneath a read rule and denies reads elsewhere", async () => {
        const readable = ownedDir(ws, `r-${user.name}`, user.uid);
        const other = ownedDir(ws, `o-${user.name}`, user.uid);
        writeFileSync(`${readable}/file`, "readable\n");
        writeFileSync(`${other}/file`, "secret\n");
        const allowed = await runHelper({ spec: spec([{ path: readable, rights: "read" }]), command: [ws.probe, "read", `${readable}/file`], user });
        expect(allowed).toMatchObject({ code: 0, stdout: "readable\n" });
        const denied = await runHelper({ spec: spec([{ path: readable, rights: "read" }]), command: [ws.probe, "read", `${other}/file`], user });
        expect(denied).toMatchObject({ code: 1, stdout: "read error 13\n" });
        const control = await runHelper({ spec: BASE_SPEC, command: [ws.probe, "read", `${other}/file`], user });
        expect(control).toMatchObject({ code: 0, stdout: "secret\n" });
      });

      it("allows writes beneath a write rule and denies them under a read rule or no rule (host-side check)", async () => {
        const writable = ownedDir(ws, `w-${user.name}`, user.uid);
        const readOnly = ownedDir(ws, `ro-${user.name}`, user.uid);
        const unlisted = ownedDir(ws, `u-${user.name}`, user.uid);
        const rules = [{ path: writable, rights: "write" as const }, { path: readOnly, rights: "read" as const }];
        const allowed = await runHelper({ spec: spec(rules), command: [ws.probe, "write", `${writable}/new`], user });
        expect(allowed).toMatchObject({ code: 0, stdout: "write ok\n" });
        expect(readFileSync(`${writable}/new`, "utf8")).toBe("written\n");
        for (const dir of [readOnly, unlisted]) {
          const denied = await runHelper({ spec: spec(rules), command: [ws.probe, "write", `${dir}/new`], user });
          expect(denied).toMatchObject({ code: 1, stdout: "write error 13\n" });
          expect(existsSync(`${dir}/new`)).toBe(false);
        }
        const control = await runHelper({ spec: BASE_SPEC, command: [ws.probe, "write", `${unlisted}/new`], user });
        expect(control.code).toBe(0);
        expect(existsSync(`${unlisted}/new`)).toBe(true);
      });

      it("supports rules on single files (file rights only)", async () => {
        const dir = ownedDir(ws, `f-${user.name}`, user.uid);
        writeFileSync(`${dir}/readme`, "one file\n");
        writeFileSync(`${dir}/sibling`, "sibling\n");
        ws.writeOwned(`f-${user.name}/log`, "old\n", user.uid);
        const rules = [{ path: `${dir}/readme`, rights: "read" as const }, { path: `${dir}/log`, rights: "write" as const }];
        expect(await runHelper({ spec: spec(rules), command: [ws.probe, "read", `${dir}/readme`], user })).toMatchObject({ code: 0, stdout: "one file\n" });
        expect(await runHelper({ spec: spec(rules), command: [ws.probe, "read", `${dir}/sibling`], user })).toMatchObject({ stdout: "read error 13\n" });
        const rewrite = await runHelper({ spec: spec(rules), command: [ws.probe, "write", `${dir}/log`], user });
        expect(rewrite.stdout).toBe("write ok\n");
        expect(readFileSync(`${dir}/log`, "utf8")).toBe("written\n");
        const create = await runHelper({ spec: spec(rules), command: [ws.probe, "write", `${dir}/created`], user });
        expect(create.stdout).toBe("write error 13\n");
        expect(existsSync(`${dir}/created`)).toBe(false);
      });

      it("denies widening a read-only fd by reopening /proc/self/fd/N for writing (FS-16)", async () => {
        const readOnly = ownedDir(ws, `p-${user.name}`, user.uid);
        const writable = ownedDir(ws, `pw-${user.name}`, user.uid);
        ws.writeOwned(`p-${user.name}/file`, "ro\n", user.uid);
        ws.writeOwned(`pw-${user.name}/file`, "rw\n", user.uid);
        const rules = [{ path: readOnly, rights: "read" as const }, { path: writable, rights: "write" as const }];
        const denied = await runHelper({ spec: spec(rules), command: [ws.probe, "reopen-write", `${readOnly}/file`], user });
        expect(denied).toMatchObject({ code: 1, stdout: "reopen-write error 13\n" });
        const allowed = await runHelper({ spec: spec(rules), command: [ws.probe, "reopen-write", `${writable}/file`], user });
        expect(allowed).toMatchObject({ code: 0, stdout: "reopen-write ok\n" });
      });

      it("refuses to execute a command outside the read rules (126)", async () => {
        const elsewhere = ownedDir(ws, `x-${user.name}`, user.uid);
        copyFileSync(ws.probe, `${elsewhere}/probe`);
        const denied = await runHelper({ spec: spec([]), command: [`${elsewhere}/probe`, "sid"], user });
        expect(denied.code).toBe(126);
        expect(denied.stderr).toBe(`cordon-exec: ${elsewhere}/probe: Permission denied\n`);
        const allowed = await runHelper({ spec: spec([{ path: elsewhere, rights: "read" }]), command: [`${elsewhere}/probe`, "sid"], user });
        expect(allowed.code).toBe(0);
      });

      it("fails closed (125, command never runs) when the kernel ABI is below minAbi", async () => {
        const marker = ws.file(`abi-marker-${user.name}`);
        const result = await runHelper({ spec: spec([{ path: ws.dir, rights: "write" }], { minAbi: 99 }), command: [ws.probe, "write", marker], user });
        expect(result.code).toBe(125);
        expect(result.stderr).toBe(`cordon-exec: Landlock ABI ${abi} is lower than the required 99: Operation not supported\n`);
        expect(existsSync(marker)).toBe(false);
        const control = await runHelper({ spec: spec([{ path: ws.dir, rights: "write" }], { minAbi: abi }), command: [ws.probe, "sid"], user });
        expect(control.code).toBe(0);
      });

      it("fails closed when a rule cannot be added (missing path) instead of running with fewer rules", async () => {
        const marker = ws.file(`missing-marker-${user.name}`);
        const result = await runHelper({ spec: spec([{ path: ws.dir, rights: "write" }, { path: "/nonexistent/cordon", rights: "read" }]), command: [ws.probe, "write", marker], user });
        expect(result.code).toBe(125);
        expect(result.stderr).toBe("cordon-exec: Landlock rule path /nonexistent/cordon: No such file or directory\n");
        expect(existsSync(marker)).toBe(false);
      });

      it.runIf(abi >= 4)("restricts TCP connect to the listed ports and denies bind (ABI 4)", async () => {
        const allowedServer = net.createServer((s) => s.end());
        const otherServer = net.createServer((s) => s.end());
        const allowedPort = await listen(allowedServer, { host: "127.0.0.1", port: 0 });
        const otherPort = await listen(otherServer, { host: "127.0.0.1", port: 0 });
        try {
          const tcp = spec([], { tcpConnectPorts: [allowedPort], denyTcpBind: true });
          expect((await runHelper({ spec: tcp, command: [ws.probe, "connect", String(allowedPort)], user })).stdout).toBe("connect ok\n");
          expect((await runHelper({ spec: tcp, command: [ws.probe, "connect", String(otherPort)], user })).stdout).toBe("connect error 13\n");
          expect((await runHelper({ spec: tcp, command: [ws.probe, "bind", "0"], user })).stdout).toBe("bind error 13\n");
          const open = spec([]);
          expect((await runHelper({ spec: open, command: [ws.probe, "connect", String(otherPort)], user })).stdout).toBe("connect ok\n");
          expect((await runHelper({ spec: open, command: [ws.probe, "bind", "0"], user })).stdout).toBe("bind ok\n");
          const none = spec([], { tcpConnectPorts: [] });
          expect((await runHelper({ spec: none, command: [ws.probe, "connect", String(allowedPort)], user })).stdout).toBe("connect error 13\n");
        } finally {
          allowedServer.close();
          otherServer.close();
        }
      });

      it.runIf(abi >= 6)("scopes abstract unix sockets to the domain (ABI 6, NET-14)", async () => {
        const name = `cordon-test-${process.pid}-${user.name}`;
        const server = net.createServer((s) => s.end());
        await listen(server, { path: `\0${name}` });
        try {
          const scoped = await runHelper({ spec: spec([], { scopeAbstractUnix: true }), command: [ws.probe, "connect-abstract", name], user });
          expect(scoped.stdout).toBe("connect-abstract error 1\n");
          const control = await runHelper({ spec: spec([]), command: [ws.probe, "connect-abstract", name], user });
          expect(control.stdout).toBe("connect-abstract ok\n");
        } finally {
          server.close();
        }
      });

      it.runIf(abi >= 6)("scopes signals to the domain (ABI 6, PROC-04)", async () => {
        // The target runs as the same user outside the domain, so only the scope can deny the signal.
        const argv = [...user.prefix, "sleep", "30"];
        const target: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: "ignore" });
        try {
          await new Promise((r) => setTimeout(r, 100));
          const scoped = await runHelper({ spec: spec([], { scopeSignals: true }), command: [ws.probe, "kill", String(target.pid)], user });
          expect(scoped.stdout).toBe("kill error 1\n");
          const control = await runHelper({ spec: spec([]), command: [ws.probe, "kill", String(target.pid)], user });
          expect(control.stdout).toBe("kill ok\n");
        } finally {
          target.kill("SIGKILL");
        }
      });

      it.runIf(abi >= 7)("accepts logDenials (ABI 7) and still denies", async () => {
        const other = ownedDir(ws, `log-${user.name}`, user.uid);
        writeFileSync(`${other}/file`, "secret\n");
        const result = await runHelper({ spec: spec([], { logDenials: true }), command: [ws.probe, "read", `${other}/file`], user });
        expect(result).toMatchObject({ code: 1, stdout: "read error 13\n", stderr: "" });
      });
    });
  }
});
