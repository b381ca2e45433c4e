// Command-line quoting for CreateProcessW: the exact inverse of CommandLineToArgvW / the MSVC CRT,
// so each argv element reaches the command unchanged (no shell, no re-splitting).

/** Quotes one argument (backslashes double only before a quote or the closing quote). */
export function quoteWindowsArg(arg: string): string {
  if (arg !== "" && !/[ \t\n\v"]/.test(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const ch of arg) {
    if (ch === "\\") {
      backslashes++;
      continue;
    }
    if (ch === '"') {
      out += "\\".repeat(backslashes * 2 + 1) + '"';
    } else {
      out += "\\".repeat(backslashes) + ch;
    }
    backslashes = 0;
  }
  return out + "\\".repeat(backslashes * 2) + '"';
}

/**
 * The command line for argv. The program name is quoted without escapes (CreateProcess parses it by
 * simpler rules): a `"` in it is impossible on Windows and is rejected.
 */
export function buildCommandLine(argv: readonly string[]): string {
  const [program, ...args] = argv;
  if (program === undefined || program === "") throw new TypeError("empty argv");
  if (program.includes('"')) throw new TypeError(`program name contains a quote: ${program}`);
  const head = /[ \t]/.test(program) ? `"${program}"` : program;
  return [head, ...args.map(quoteWindowsArg)].join(" ");
}

/** Batch files run through cmd.exe with its own, injectable parsing (BatBadBut); the runner refuses them. */
export function isBatchFile(program: string): boolean {
  return /\.(bat|cmd)[. ]*$/i.test(program);
}
