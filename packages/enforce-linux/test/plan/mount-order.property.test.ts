// Property test (FS-13): for random rule sets in random order, the mount table the bwrap argv builds gives
// every sampled path exactly the access decidePath (policy-model's reference) says it has.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decidePath, globMatches, type Access, type ProtectedPath } from "@cordon/policy-model";
import { planLinux } from "../../src/plan/plan.js";
import type { PathFact } from "../../src/types.js";
import { simulateMounts, simulatedAccess } from "../helpers/mount-sim.js";
import { FILE, MISSING, denyGlob, makeFacts, makePolicy, rule } from "../helpers/policy.js";

const DIRS = ["/r", "/r/a", "/r/a/b", "/r/a/b/e", "/r/c", "/r/c/d", "/r/.git", "/r/a/.git", "/s", "/s/t"];
const FILES = DIRS.flatMap((d) => [`${d}/f.txt`, `${d}/x.env`]);
const RULE_ROOTS = ["/", ...DIRS, "/r/a/b/f.txt", "/r/c/x.env"];
const MISSING_META = ["/r/.codex", "/r/a/.agents", "/r/c/d/.cordon"];
const EMPTY = "/run/user/1000/cordon/empty";
const CMD = { argv: ["true"], cwd: "/", env: {} };

const accessArb = fc.constantFrom<Access>("read", "write", "deny");
const rulesArb = fc.uniqueArray(fc.tuple(fc.constantFrom(...RULE_ROOTS), accessArb), { selector: ([p]) => p, minLength: 1, maxLength: 8 });

describe("mount order property (FS-13)", () => {
  it("simulated access equals decidePath for every file, whatever the rule order", () => {
    fc.assert(
      fc.property(rulesArb, fc.boolean(), fc.subarray([...MISSING_META]), fc.subarray(["/r/.git", "/r/a/.git"]), (ruleList, withGlob, missingMeta, existingMeta) => {
        const rules = ruleList.map(([p, a]) => rule(p, a));
        const protectedPaths: ProtectedPath[] = [
          ...existingMeta.map((p): ProtectedPath => ({ path: p, reason: "metadata", name: ".git", root: p.slice(0, p.lastIndexOf("/")), state: "directory", preventCreation: false })),
          ...missingMeta.map((p): ProtectedPath => ({ path: p, reason: "metadata", name: p.slice(p.lastIndexOf("/") + 1), root: p.slice(0, p.lastIndexOf("/")), state: "missing", preventCreation: true })),
        ];
        const globs = withGlob ? [denyGlob("/r/**/*.env", "/r")] : [];
        const paths: Record<string, PathFact> = {};
        for (const f of FILES) paths[f] = FILE;
        for (const m of MISSING_META) paths[m] = MISSING;
        const globMatchList = withGlob ? FILES.filter((f) => globMatches("/r/**/*.env", f, true)).map((f) => ({ path: f, pattern: "/r/**/*.env", canonical: null })) : [];
        const policy = makePolicy({ rules, protectedPaths, denyGlobs: globs });
        const result = planLinux(policy, CMD, makeFacts({ globMatches: globMatchList, execHelper: "/opt/cordon/cordon-exec" }, paths));
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const mounts = simulateMounts(result.plan.argv, EMPTY);
        for (const file of FILES) {
          const expected = decidePath(policy, file);
          const got = simulatedAccess(mounts, file, true);
          expect({ file, read: got.read, write: got.write }).toEqual({ file, read: expected.read, write: expected.write });
        }
        for (const meta of missingMeta) {
          expect({ meta, creatable: simulatedAccess(mounts, `${meta}/planted`, false).creatable }).toEqual({ meta, creatable: false });
          expect({ meta, creatable: simulatedAccess(mounts, meta, false).creatable }).toEqual({ meta, creatable: false });
        }
      }),
      { numRuns: 400 },
    );
  });

  it("gives the same view for any permutation of the same rules", () => {
    fc.assert(
      fc.property(rulesArb.chain((r) => fc.tuple(fc.constant(r), fc.shuffledSubarray(r, { minLength: r.length, maxLength: r.length }))), ([a, b]) => {
        const plan = (list: typeof a) => planLinux(makePolicy({ rules: list.map(([p, x]) => rule(p, x)) }), CMD, makeFacts());
        const pa = plan(a);
        const pb = plan(b);
        expect(pa.ok && pb.ok).toBe(true);
        if (pa.ok && pb.ok) expect(pa.plan.argv).toEqual(pb.plan.argv);
      }),
      { numRuns: 200 },
    );
  });
});
