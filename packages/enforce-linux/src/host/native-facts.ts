// What the native addon reports about this kernel (Landlock ABI, seccomp) and where the helper is.
import { execHelperPath, loadNative, type NativeBinding } from "../native.js";

export interface NativeFacts {
  readonly landlockAbi: number;
  readonly seccomp: boolean;
  readonly execHelper: string | null;
  /** Why a native piece is missing, with the fix. */
  readonly problems: readonly string[];
}

let cached: NativeFacts | undefined;

/** Loads the addon and locates the helper once per process; never throws. */
export function nativeFacts(): NativeFacts {
  if (cached) return cached;
  const problems: string[] = [];
  let binding: NativeBinding | undefined;
  try {
    binding = loadNative();
  } catch (error) {
    problems.push((error as Error).message);
  }
  let execHelper: string | null = null;
  try {
    execHelper = execHelperPath();
  } catch (error) {
    problems.push((error as Error).message);
  }
  const landlockAbi = binding ? binding.landlockAbi() : 0;
  const seccomp = binding ? binding.seccompAvailable() : false;
  cached = { landlockAbi, seccomp, execHelper, problems };
  return cached;
}

/** The addon's seccomp program builder (throws NativeUnavailableError when the addon is missing). */
export function buildSeccomp(options: { network: "none" | "proxy" | "full"; allowUnixSockets: boolean }): Uint8Array {
  return loadNative().buildSeccompProgram(options);
}
