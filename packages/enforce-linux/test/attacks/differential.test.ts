// Differential test: random profiles over a random tree; inside one real sandbox per profile, every file
// is probed for read (open O_RDONLY) and write (open O_APPEND, nothing written); the results must equal
// decidePath. Runs as root and as the unprivileged user.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decidePath, type Access } from "@cordon/policy-model";
import { makePolicy, rule } from "../helpers/policy.js";
import { chownTree, ensureBuilt, ensureTestUser, fixtureDir, probes, realRunBlocker, runSandboxed, type RunAs } from "../helpers/sandbox.js";

const blocker = realRunBlocker();
if (blocker) console.warn(`SKIPPING the Linux differential suite: ${blocker}`);

const REL_DIRS = ["a", "a/b", "a/b/c", "d", "d/e", "f"];
const REL_FILES = ["top.txt", ...REL_DIRS.flatMap((d) => [`${d}/one.txt`, `${d}/two.cfg`])];
const RUNTIME_READ = ["/usr", "/bin", "/lib", "/lib64", "/etc"];
const PROFILES = 12;

for (const as of ["root", "user"] as const satisfies readonly RunAs[]) {
  describe.runIf(!blocker)(`differential: decidePath vs the real sandbox, as ${as}`, () => {
    let T = "";
    beforeAll(() => {
      ensureBuilt();
      const owner = ensureTestUser();
      T = path.join(fixtureDir(as, `diff-${as}`), "t");
      for (const d of REL_DIRS) mkdirSync(path.join(T, d), { recursive: true });
      for (const f of REL_FILES) writeFileSync(path.join(T, f), "content\n");
      if (as === "user") chownTree(T, owner);
    }, 180_000);
    afterAll(() => T && rmSync(path.dirname(T), { recursive: true, force: true }));

    it(`${PROFILES} random profiles agree with decidePath on every file`, () => {
      const ruleArb = fc.uniqueArray(fc.tuple(fc.constantFrom(".", ...REL_DIRS, ...REL_FILES), fc.constantFrom<Access>("read", "write", "deny")), { selector: ([p]) => p, minLength: 1, maxLength: 6 });
      const samples = fc.sample(fc.tuple(ruleArb, fc.boolean()), { numRuns: PROFILES, seed: 4242 });
      let probesRun = 0;
      for (const [rules, rootReadable] of samples) {
        const policy = makePolicy({
          rules: [...(rootReadable ? [rule("/", "read")] : RUNTIME_READ.map((p) => rule(p, "read"))), ...rules.map(([rel, a]) => rule(rel === "." ? T : path.join(T, rel), a))],
          cwd: "/",
          environment: { PATH: "/usr/bin:/bin" },
        });
        const files = REL_FILES.map((f) => path.join(T, f));
        const script = files.map((f) => `if cat ${f} >/dev/null 2>&1; then r=1; else r=0; fi; if ( : >> ${f} ) 2>/dev/null; then w=1; else w=0; fi; echo "PROBE ${f} $r$w"`).join("\n");
        const r = runSandboxed(as, policy, ["sh", "-c", script]);
        expect(r.refused, JSON.stringify(r.refused)).toBeUndefined();
        expect(r.code, JSON.stringify(r)).toBe(0);
        const got = probes(r.stdout);
        for (const f of files) {
          const d = decidePath(policy, f);
          expect({ rules, f, rw: got[f] }).toEqual({ rules, f, rw: `${d.read ? 1 : 0}${d.write ? 1 : 0}` });
          probesRun++;
        }
      }
      expect(probesRun).toBe(PROFILES * REL_FILES.length);
    }, 180_000);
  });
}
