// The built bin and bundle (build.mjs): code cache accepted, zod loaded lazily, backends never loaded
// from the bundle, output that survives a reader closing early.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { CLI, hasStackTrace, makeSandbox } from "./helpers.js";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

interface BundledCliModule {
  BUNDLE_FILE: string;
  CODE_CACHE_FILE: string;
  compileBundle(cachedData?: Buffer): import("node:vm").Script;
  evaluateBundle(script: import("node:vm").Script): { runCli(argv: readonly string[]): Promise<number> };
}

const loader = (): Promise<BundledCliModule> => import(pathToFileURL(join(dist, "bundled-cli.js")).href) as Promise<BundledCliModule>;

describe("the built bin", () => {
  it("is dist/cordon.cjs, next to the bundle, its code cache and the bundle's third-party licenses", () => {
    expect(CLI).toBe(join(dist, "cordon.cjs"));
    for (const file of ["cordon.cjs", "cordon-cli.cjs", "cordon-cli.cjs.v8-cache", "cordon-cli.cjs.LICENSES.txt"]) expect(existsSync(join(dist, file)), file).toBe(true);
    const licenses = readFileSync(join(dist, "cordon-cli.cjs.LICENSES.txt"), "utf8");
    for (const name of ["zod@", "smol-toml@", "micromatch@", "picomatch@", "braces@", "ipaddr.js@"]) expect(licenses).toContain(name);
  });

  it("ships a code cache that this Node accepts (made at build time, never at run time)", async () => {
    const { compileBundle, CODE_CACHE_FILE } = await loader();
    expect(compileBundle(readFileSync(CODE_CACHE_FILE)).cachedDataRejected).toBe(false);
  });

  it("compiles from source when the code cache does not match (rejected, same result)", async () => {
    const { compileBundle, evaluateBundle } = await loader();
    const script = compileBundle(Buffer.from("not a V8 code cache"));
    expect(script.cachedDataRejected).toBe(true);
    expect(typeof evaluateBundle(script).runCli).toBe("function");
  });

  it("starts zod only when there is a layer to validate (explain on built-ins needs none)", () => {
    const sb = makeSandbox();
    const config = sb.write("cfg.toml", '[permissions.p]\nextends = ":workspace"\n');
    // A fresh process: zod's core marks globalThis when it starts.
    const probe = `
      import { compileBundle, evaluateBundle } from ${JSON.stringify(pathToFileURL(join(dist, "bundled-cli.js")).href)};
      const zod = () => "__zod_globalConfig" in globalThis;
      const { runCli } = evaluateBundle(compileBundle());
      const seen = { loaded: zod() };
      seen.explain = [await runCli(["explain", "--json"]), zod()];
      seen.check = [await runCli(["check", "--config", ${JSON.stringify(config)}]), zod()];
      process.stderr.write(JSON.stringify(seen));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: sb.repo, env: sb.env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stderr.slice(r.stderr.indexOf("{")))).toEqual({ loaded: false, explain: [0, false], check: [0, true] });
  });

  it("refuses `run` from the bundle itself (the bin runs backend commands on dist/index.js): exit 125, nothing runs", async () => {
    const { compileBundle, evaluateBundle } = await loader();
    const { runCli } = evaluateBundle(compileBundle());
    const sb = makeSandbox();
    const marker = join(sb.repo, "ran");
    expect(await runCli(["run", "--cwd", sb.repo, "--", "touch", marker])).toBe(125);
    expect(existsSync(marker)).toBe(false);
  });

  it("ends quietly, without a stack trace, when the reader of its output goes away (EPIPE)", async () => {
    const sb = makeSandbox();
    const child = spawn(process.execPath, [CLI, "schema"], { cwd: sb.repo, env: sb.env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(hasStackTrace(stderr), stderr).toBe(false);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
