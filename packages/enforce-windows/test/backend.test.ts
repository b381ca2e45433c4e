// windowsBackend on any host: the Backend contract, probe without Windows, and launch guards.
import { describe, expect, it } from "vitest";
import { windowsBackend } from "../src/index.js";
import { assumedFacts } from "../src/facts.js";
import { COMMAND, policy } from "./helpers.js";

describe("windowsBackend (contract)", () => {
  it("names itself and its platform", () => {
    expect(windowsBackend.name).toBe("@cordon/enforce-windows");
    expect(windowsBackend.platform).toBe("windows");
  });

  it("planFor without facts assumes a prepared host and plans :workspace", () => {
    const result = windowsBackend.planFor(policy(), COMMAND);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.plan.factsSource).toBe("assumed");
  });

  it("launch refuses a plan made from assumed facts (never on unverified host state)", async () => {
    const result = windowsBackend.planFor(policy(), COMMAND, assumedFacts());
    if (!result.ok) throw new Error("refused");
    await expect(windowsBackend.launch(result.plan)).rejects.toThrow(
      process.platform === "win32" ? "this plan was made from assumed facts" : "can launch only on Windows",
    );
  });
});

describe.runIf(process.platform !== "win32")("windowsBackend on a non-Windows host", () => {
  it("probe reports not ready with the reason, never throws", async () => {
    const report = await windowsBackend.probe();
    expect(report.ready).toBe(false);
    expect(report.platform).toBe("windows");
    expect(report.problems).toEqual(["@cordon/enforce-windows enforces policies only on Windows; install the backend for this OS"]);
  });

  it("plan refuses (host facts need Windows) instead of guessing", async () => {
    const result = await windowsBackend.plan(policy(), COMMAND);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal[0]!.reason).toContain("can only enforce on Windows");
  });

  it("plan of :danger-full-access needs no facts", async () => {
    const result = await windowsBackend.plan(policy({ unrestricted: true }), COMMAND);
    expect(result.ok && result.plan.mode).toBe("unrestricted");
  });
});
