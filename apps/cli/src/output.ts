// Writing results and problems: JSON on stdout, human text, and one-line errors on stderr.
import { formatDiagnostic, type Diagnostic } from "@cordon/policy-model";
import { writeText } from "./write.js";

export function printJson(value: unknown): void {
  writeText(1, `${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ""): void {
  writeText(1, `${text}\n`);
}

export function printError(message: string): void {
  writeText(2, `cordon: ${message}\n`);
}

export function printWarnings(warnings: readonly Diagnostic[]): void {
  for (const warning of warnings) writeText(2, `cordon: warning: ${formatDiagnostic(warning)}\n`);
}
