// Host-side helpers that run on any OS: canonical paths, probe/launch refusals off macOS, exit codes,
// process-tree parsing, denial-log parsing.
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDenialMessage, parseDenialStream, denialPredicate } from "../src/denial-log.js";
import { canonicalOf, pathsNamedBy } from "../src/host-facts.js";
import { assertLaunchable, exitCodeFor, launchPlan, MacosLaunchError } from "../src/launch.js";
import { planFor } from "../src/plan.js";
import { probeHost } from "../src/probe.js";
import { descendantsFromPs } from "../src/process-tree.js";
import { standardCanonical } from "../src/spellings.js";
import type { MacosPlan } from "../src/types.js";
import { command, denyGlob, makePolicy, socket, workspacePolicy } from "./helpers/policy.js";

const okPlan = (p = workspacePolicy()): MacosPlan => {
  const r = planFor(p, command);
  if (!r.ok) throw new Error("refused");
  return r.plan;
};

describe("canonical spellings", () => {
  it("maps the stock macOS links", () => {
    expect(["/tmp", "/tmp/x", "/var/folders/a", "/etc/hosts", "/tmpx", "/Users/u"].map(standardCanonical)).toEqual([
      "/private/tmp",
      "/private/tmp/x",
      "/private/var/folders/a",
      "/private/etc/hosts",
      "/tmpx",
      "/Users/u",
    ]);
  });

  it("resolves symlinks on the real filesystem, and missing tails through the nearest existing ancestor", () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "cordon-macos-")));
    mkdirSync(join(dir, "real"));
    symlinkSync(join(dir, "real"), join(dir, "link"));
    expect(canonicalOf(join(dir, "link"))).toBe(join(dir, "real"));
    expect(canonicalOf(join(dir, "link", "missing", ".git"))).toBe(join(dir, "real", "missing", ".git"));
    expect(canonicalOf("/")).toBe("/");
  });

  it("uses an injected realpath (the macOS /tmp case)", () => {
    const fake = (p: string): string => {
      if (p === "/tmp") return "/private/tmp";
      if (p === "/") return "/";
      throw new Error("ENOENT");
    };
    expect(canonicalOf("/tmp/a/b", fake)).toBe("/private/tmp/a/b");
    expect(canonicalOf("/nope", fake)).toBe("/nope");
  });

  it("collects every path a profile names", () => {
    const policy = workspacePolicy({ denyGlobs: [denyGlob("/Users/u/repo/{a,b}/*.env", "/Users/u/repo")], network: { unixSockets: [socket("/var/run/x.sock")] } });
    expect(pathsNamedBy(policy).sort()).toEqual(["/", "/Users/u/repo", "/Users/u/repo/.cordon", "/Users/u/repo/.git", "/Users/u/repo/a", "/Users/u/repo/b", "/tmp", "/var/run/x.sock"]);
  });
});

describe("never runs unsandboxed off macOS (MAC-10)", () => {
  it("probe reports sandbox-exec missing on other platforms", async () => {
    const report = await probeHost("linux");
    expect(report).toMatchObject({ platform: "macos", backend: "@cordon/enforce-macos", ready: false });
    expect(report.problems[0]).toContain("sandbox-exec exists only on macOS (this host is linux)");
  });

  it("refuses to launch a sandbox-exec plan on another OS", async () => {
    expect(() => assertLaunchable(okPlan(), "linux")).toThrow("sandbox-exec runs only on macOS (this host is linux); refusing to run the command unsandboxed");
    if (process.platform !== "darwin") await expect(launchPlan(okPlan())).rejects.toBeInstanceOf(MacosLaunchError);
  });

  it("refuses a tampered argv and a network plan without a proxy", () => {
    expect(() => assertLaunchable({ ...okPlan(), argv: ["/tmp/sandbox-exec", "true"] }, "darwin")).toThrow("the plan does not start /usr/bin/sandbox-exec");
    const waiting = okPlan(workspacePolicy({ network: { enabled: true } }));
    expect(() => assertLaunchable(waiting, "darwin")).toThrow("no egress proxy port is bound");
    expect(() => assertLaunchable(okPlan(), "darwin")).not.toThrow();
  });

  it("runs :danger-full-access plans anywhere, passing exit codes and signals through", async () => {
    const plan = okPlan(makePolicy({ unrestricted: true }));
    const run = async (argv: string[]) => (await launchPlan({ ...plan, argv, cwd: tmpdir() }, { stdio: "ignore" })).exited;
    expect((await run(["/bin/sh", "-c", "exit 7"])).code).toBe(7);
    const killed = await run(["/bin/sh", "-c", "kill -TERM $$"]);
    expect([killed.code, killed.signal]).toEqual([143, "SIGTERM"]);
  });
});

describe("exit codes and process trees", () => {
  it("reports 128+N for signal N", () => {
    expect([exitCodeFor(0, null), exitCodeFor(3, null), exitCodeFor(null, "SIGKILL"), exitCodeFor(null, "SIGINT")]).toEqual([0, 3, 137, 130]);
  });

  it("finds every descendant from ps output", () => {
    const ps = "  1     0\n 100     1\n 101   100\n 102   101\n 103   100\n 200     1\n garbage\n";
    expect(descendantsFromPs(ps, 100).sort()).toEqual([101, 102, 103]);
    expect(descendantsFromPs(ps, 200)).toEqual([]);
  });
});

describe("denial log parsing", () => {
  const tag = "cordon-0a1b2c";
  it("parses tagged Seatbelt denial lines into Denial records", () => {
    expect(parseDenialMessage(`Sandbox: cat(4242) deny(1) file-read-data /Users/u/repo/.env ${tag}`, tag)).toEqual({
      kind: "file",
      operation: "file-read-data",
      target: `/Users/u/repo/.env ${tag}`,
      detail: "cat(4242)",
    });
    expect(parseDenialMessage(`Sandbox: curl(7) deny(1) network-outbound 1.2.3.4:443 ${tag}`, tag)?.kind).toBe("network");
    expect(parseDenialMessage(`Sandbox: open(9) deny(1) lsopen ${tag}`, tag)?.kind).toBe("other");
  });

  it("ignores other runs' denials and non-denial lines", () => {
    expect(parseDenialMessage("Sandbox: cat(1) deny(1) file-read-data /x cordon-ffffff", tag)).toBeNull();
    expect(parseDenialMessage(`kernel: something else ${tag}`, tag)).toBeNull();
  });

  it("parses an ndjson stream, de-duplicating", () => {
    const line = (m: string) => JSON.stringify({ eventMessage: m, processID: 0 });
    const stream = [
      "Filtering the log data using ...",
      line(`Sandbox: cat(1) deny(1) file-read-data /a ${tag}`),
      line(`Sandbox: cat(1) deny(1) file-read-data /a ${tag}`),
      "{not json",
      line(`Sandbox: sh(2) deny(1) file-write-create /b ${tag}`),
    ].join("\n");
    expect(parseDenialStream(stream, tag).map((d) => d.operation)).toEqual(["file-read-data", "file-write-create"]);
  });

  it("builds a log predicate only from a safe tag", () => {
    expect(denialPredicate(tag)).toContain(`eventMessage CONTAINS "${tag}"`);
    expect(() => denialPredicate('x" OR 1')).toThrow("invalid denial log tag");
  });
});
