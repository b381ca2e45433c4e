// Writing results and problems: JSON on stdout, human text, and one-line errors on stderr.
import { formatDiagnostic, type Diagnostic } from "@cordon/policy-model";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ""): void {
  process.stdout.write(`${text}\n`);
}

export function printError(message: string): void {
  process.stderr.write(`cordon: ${message}\n`);
}

export function printWarnings(warnings: readonly Diagnostic[]): void {
  for (const warning of warnings) process.stderr.write(`cordon: warning: ${formatDiagnostic(warning)}\n`);
}
