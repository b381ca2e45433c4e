// The built bin and bundle (build.mjs): code cache accepted, zod loaded lazily, backends never imported
// by the bundle itself but supplied by the bin, output that survives a reader closing early.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
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

  it("refuses `run` when no backend was supplied (the bundle imports none itself): exit 125, nothing runs", async () => {
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

/** Runs `cordon <argv>` on the bundle in a fresh process, the backend supplied as the bin does (main.ts). */
function runWithSuppliedBackend(argv: readonly string[], backend: "linux-bundle" | "missing"): { code: number | null; stderr: string; asked: string[]; repo: string } {
  const sb = makeSandbox();
  const linuxBundle = pathToFileURL(createRequire(import.meta.url).resolve("@cordon/enforce-linux/bundle")).href;
  const probe = `
    import { compileBundle, evaluateBundle } from ${JSON.stringify(pathToFileURL(join(dist, "bundled-cli.js")).href)};
    const cli = evaluateBundle(compileBundle());
    const asked = [];
    cli.useBackendImporter(async (platform) => {
      asked.push(platform);
      if (${JSON.stringify(backend)} === "missing") throw Object.assign(new Error("Cannot find package '@cordon/enforce-linux'"), { code: "ERR_MODULE_NOT_FOUND" });
      return (await import(${JSON.stringify(linuxBundle)})).linuxBackend;
    });
    const code = await cli.runCli(${JSON.stringify(argv)});
    process.stderr.write("\\nASKED " + JSON.stringify(asked));
    process.exitCode = code;`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: sb.repo, env: sb.env, encoding: "utf8", timeout: 60_000 });
  const at = r.stderr.lastIndexOf("\nASKED ");
  expect(at, r.stderr).toBeGreaterThanOrEqual(0);
  return { code: r.status, stderr: r.stderr.slice(0, at), asked: JSON.parse(r.stderr.slice(at + "\nASKED ".length)) as string[], repo: sb.repo };
}

if (process.platform !== "linux") console.warn(`SKIPPED in bundle.test.ts: running a command with the Linux ./bundle backend needs Linux (this is ${process.platform})`);

describe("backend commands on the bundle", () => {
  it("the bin imports the backends by literal names only, the Linux one through its self-contained ./bundle entry", () => {
    const bin = readFileSync(join(dist, "cordon.cjs"), "utf8");
    const imports = [...bin.matchAll(/\bimport\(([^)]*)\)/g)].map((m) => m[1]);
    expect(imports).toEqual(['"@cordon/enforce-linux/bundle"', '"@cordon/enforce-macos"', '"@cordon/enforce-windows"']);
    expect(bin).not.toContain("index.js");
  });

  it("a missing backend package is the same clear error (exit 125, no stack trace) and nothing runs", () => {
    const r = runWithSuppliedBackend(["run", "--", "touch", "ran"], "missing");
    expect(r.code, r.stderr).toBe(125);
    expect(r.stderr).toContain("the linux backend is not installed: install @cordon/enforce-linux (npm install @cordon/enforce-linux)");
    expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    expect(r.asked).toEqual(["linux"]);
    expect(existsSync(join(r.repo, "ran"))).toBe(false);
  });

  it.runIf(process.platform === "linux")("runs a command with the backend the bin supplied (Linux ./bundle entry)", () => {
    const r = runWithSuppliedBackend(["run", "--", "touch", "ran"], "linux-bundle");
    expect(r.code, r.stderr).toBe(0);
    expect(r.asked).toEqual(["linux"]);
    expect(existsSync(join(r.repo, "ran"))).toBe(true);
  });

  it("plan for another platform asks the bin for that platform's backend", () => {
    const r = runWithSuppliedBackend(["plan", "--platform", "macos", "--", "true"], "missing");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("the macos backend is not installed: install @cordon/enforce-macos");
    expect(r.asked).toEqual(["macos"]);
  });
});
