// `cordon doctor`: what this host can enforce, per capability, and how to fix what is missing.
import type { ProbeReport } from "@cordon/policy-model";
import type { ParsedCommandLine } from "../args.js";
import { BackendUnavailableError, loadHostBackend, platformOf } from "../backend.js";
import { printJson, printLine } from "../output.js";

export async function doctorCommand(cli: ParsedCommandLine): Promise<number> {
  const report = await probeHost();
  if (cli.json) printJson(report);
  else printReport(report);
  return report.ready ? 0 : 3;
}

async function probeHost(): Promise<ProbeReport> {
  try {
    return await (await loadHostBackend()).probe();
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    const platform = platformOf(process.platform) ?? "linux";
    return { platform, backend: "none", ready: false, capabilities: {}, problems: [error.message] };
  }
}

function printReport(report: ProbeReport): void {
  printLine(`${report.backend} on ${report.platform}: ${report.ready ? "ready" : "NOT ready"}`);
  for (const [name, capability] of Object.entries(report.capabilities)) {
    printLine(`  ${capability.available ? "yes" : "no "}  ${name}${capability.detail ? `: ${capability.detail}` : ""}`);
  }
  for (const problem of report.problems) printLine(`  problem: ${problem}`);
}
