// Allowed unix sockets (spec 5) with cordon-exec's connect mediation, for real, as root and as the
// unprivileged user: the allowed socket is reachable (also when it sits under a masked directory);
// another pathname socket, an abstract socket, socketpair+sendto and io_uring are not. Host-side
// accept counts back every result. Skipped loudly while the helper cannot mediate unix sockets.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nativeFacts } from "../../src/host/native-facts.js";
import { rule } from "../helpers/policy.js";
import { ensureBuilt, ensureTestUser, fixtureDir, realRunBlocker, type RunAs } from "../helpers/sandbox.js";
import { buildNetProbe, lines, netPolicy, runAsync, sh, startProbeReceiver, startUnixServer, type NetRunResult } from "./net-harness.js";

const blocker = realRunBlocker() ?? (nativeFacts().unixSocketMediation ? undefined : "cordon-exec has no unix socket mediation (supportsUnixSocketMediation() is false)");
if (blocker) console.warn(`SKIPPING the allowed unix socket tests: ${blocker}`);

for (const as of ["root", "user"] as const satisfies readonly RunAs[]) {
  describe.runIf(!blocker)(`allowed unix sockets as ${as}`, () => {
    let F = "";
    let allowed: Awaited<ReturnType<typeof startUnixServer>>;
    let masked: Awaited<ReturnType<typeof startUnixServer>>;
    let other: Awaited<ReturnType<typeof startUnixServer>>;
    let abstract: Awaited<ReturnType<typeof startProbeReceiver>>;
    let dgram: Awaited<ReturnType<typeof startProbeReceiver>>;
    let r: NetRunResult = {};
    let out: Record<string, string> = {};
    const abstractName = `cordon-unix-test-${as}-${process.pid}`;

    beforeAll(async () => {
      ensureBuilt();
      ensureTestUser();
      F = fixtureDir(as, `unix-${as}`);
      const probe = buildNetProbe(path.join(F, "bin"));
      mkdirSync(path.join(F, "hidden"), { mode: 0o755 });
      allowed = await startUnixServer(path.join(F, "allowed.sock"));
      masked = await startUnixServer(path.join(F, "hidden", "inner.sock"));
      other = await startUnixServer(path.join(F, "other.sock"));
      abstract = await startProbeReceiver(probe, ["abstract-listen", abstractName]);
      dgram = await startProbeReceiver(probe, ["dgram-recv", path.join(F, "dgram.sock")]);
      const base = netPolicy({ enabled: false }, F);
      const origin = { kind: "builtin" as const };
      const policy = {
        ...base,
        filesystem: { ...base.filesystem, rules: [rule("/", "read"), rule(path.join(F, "hidden"), "deny")] },
        network: {
          ...base.network,
          unixSockets: [
            { path: path.join(F, "allowed.sock"), decision: "allow" as const, origin },
            { path: path.join(F, "hidden", "inner.sock"), decision: "allow" as const, origin },
            { path: path.join(F, "other.sock"), decision: "deny" as const, origin },
          ],
        },
      };
      const script = [
        sh("allowed", `${probe} unix ${F}/allowed.sock`),
        sh("masked_allowed", `${probe} unix ${F}/hidden/inner.sock`),
        sh("hidden_listing", `ls ${F}/hidden`),
        sh("other", `${probe} unix ${F}/other.sock`),
        sh("abstract", `${probe} abstract ${abstractName}`),
        sh("dgram_pair", `${probe} dgram-pair ${F}/dgram.sock`),
        sh("iouring", `${probe} iouring`),
      ].join("\n");
      r = await runAsync(as, { policy, argv: ["sh", "-c", script] });
      expect(r.error, r.error).toBeUndefined();
      expect(r.refused, JSON.stringify(r.refused)).toBeUndefined();
      out = lines(r.stdout);
    }, 60_000);

    afterAll(async () => {
      await allowed?.close();
      await masked?.close();
      await other?.close();
      abstract?.close();
      dgram?.close();
      if (F) rmSync(F, { recursive: true, force: true });
    });

    it("the allowed socket is reachable (control), also under a masked directory that stays unlistable", () => {
      expect(r.code, r.stderr).toBe(0);
      expect(out.allowed).toBe("ok");
      expect(out.masked_allowed).toBe("ok");
      expect(out.hidden_listing).toMatch(/^exit=/);
      expect([allowed.accepted(), masked.accepted()]).toEqual([1, 1]);
    });

    it("another pathname socket, an abstract socket, socketpair+sendto and io_uring are not", () => {
      expect(out.other).toMatch(/^err (EPERM|EACCES|ECONNREFUSED)$/);
      expect(out.abstract).toMatch(/^err (EPERM|EACCES|ECONNREFUSED)$/);
      expect(out.dgram_pair).toMatch(/^err (EPERM|EACCES|EAFNOSUPPORT)$/);
      expect(out.iouring).toMatch(/^err (EPERM|ENOSYS)$/);
      expect([other.accepted(), abstract.received(), dgram.received()]).toEqual([0, 0, 0]);
    });
  });
}
