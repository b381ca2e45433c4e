// Golden profiles for representative policies. Regenerate in development only, after reviewing the
// change: CORDON_UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ResolvedPolicy } from "@cordon/policy-model";
import { describe, expect, it } from "vitest";
import { planFor } from "../src/plan.js";
import type { MacosHostFacts } from "../src/types.js";
import { command, denyGlob, makePolicy, protectedPath, rule, socket, workspacePolicy } from "./helpers/policy.js";
import { readProfile } from "./helpers/sbpl-reader.js";

const update = process.env["CORDON_UPDATE_GOLDEN"] === "1";
if (update) console.warn("CORDON_UPDATE_GOLDEN=1: rewriting test/golden/*.sb instead of comparing them");

const CASES: [string, ResolvedPolicy, MacosHostFacts][] = [
  ["workspace", workspacePolicy(), {}],
  [
    "workspace-globs-network",
    workspacePolicy({
      rules: [rule("/Users/u/repo/secrets", "deny"), rule("/Users/u/repo/secrets/public", "read")],
      denyGlobs: [denyGlob("/Users/u/repo/**/*.{env,pem}", "/Users/u/repo"), denyGlob("/tmp/build/*.key", "/tmp/build")],
      network: { enabled: true, unixSockets: [socket("/var/run/docker.sock")] },
    }),
    { proxyPorts: [43123, 48081], denyGlobMatches: ["/Users/u/repo/config/.env"] },
  ],
  [
    "minimal-read-only-home",
    makePolicy({
      minimal: true,
      rules: [rule("/Users/u/repo", "read"), rule("/Users/u/repo/out", "write")],
      protectedPaths: [protectedPath("/Users/u/.cordon", { reason: "policy", name: "CORDON_HOME" })],
    }),
    {},
  ],
];

describe("golden profiles", () => {
  for (const [name, policy, facts] of CASES) {
    it(`${name}.sb matches`, () => {
      const result = planFor(policy, command, facts);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const text = `${result.plan.profile}`;
      const params = Object.entries(result.plan.params).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
      readProfile(text);
      const sb = fileURLToPath(new URL(`./golden/${name}.sb`, import.meta.url));
      const pp = fileURLToPath(new URL(`./golden/${name}.params`, import.meta.url));
      if (update || !existsSync(sb)) {
        if (!update) throw new Error(`missing golden ${sb}; run with CORDON_UPDATE_GOLDEN=1 to create it`);
        writeFileSync(sb, text);
        writeFileSync(pp, params);
      }
      expect(text).toBe(readFileSync(sb, "utf8"));
      expect(params).toBe(readFileSync(pp, "utf8"));
    });
  }
});
