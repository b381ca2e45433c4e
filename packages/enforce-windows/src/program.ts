// Resolves argv[0] to an absolute program path the way a user expects (PATH + .COM/.EXE), in TypeScript,
// so the sandbox never relies on CreateProcess's own search (which looks in the launcher's directory
// first and silently runs .bat/.cmd files through cmd.exe).
import { win32 } from "node:path";
import { isBatchFile } from "./argv.js";

export type ProgramResolution = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly exitCode: 126 | 127; readonly message: string };

const EXTENSIONS = [".exe", ".com"];

/** Finds the program; `isFile` is injected (fs on Windows, a fake in tests). */
export function resolveProgram(program: string, env: Readonly<Record<string, string>>, cwd: string, isFile: (path: string) => boolean): ProgramResolution {
  const candidates = (base: string): string[] => (/\.[^\\/.]+$/.test(base) ? [base] : [base, ...EXTENSIONS.map((e) => base + e)]);
  const accept = (path: string): ProgramResolution | null => {
    if (!isFile(path)) return null;
    if (isBatchFile(path)) return { ok: false, exitCode: 126, message: `${path} is a batch file; run it explicitly as \`cmd.exe /d /c ${path}\` (cordon never lets cmd.exe re-parse arguments implicitly)` };
    if (!EXTENSIONS.some((e) => path.toLowerCase().endsWith(e))) return { ok: false, exitCode: 126, message: `${path} is not an executable (.exe or .com)` };
    return { ok: true, path };
  };
  const hasDir = /[\\/]/.test(program) || /^[A-Za-z]:/.test(program);
  if (hasDir) {
    const base = win32.resolve(cwd, program);
    for (const c of candidates(base)) {
      const r = accept(c);
      if (r) return r;
    }
    return { ok: false, exitCode: 127, message: `${program}: not found` };
  }
  const pathVar = Object.entries(env).find(([k]) => k.toUpperCase() === "PATH")?.[1] ?? "";
  for (const dir of pathVar.split(";").filter((d) => d.trim() !== "")) {
    const clean = dir.replace(/^"|"$/g, "").replace(/[\\/]+$/, "");
    if (!/^[A-Za-z]:[\\/]|^[\\/]{2}/.test(clean)) continue; // relative PATH entries would search the cwd: skip
    for (const c of candidates(win32.join(clean, program))) {
      const r = accept(c);
      if (r) return r;
    }
  }
  return { ok: false, exitCode: 127, message: `${program}: not found on PATH` };
}
