// What the native addon reports about this kernel (Landlock ABI, seccomp) and where the helper is.
import * as native from "../native.js";
import { execHelperPath, loadNative, type NativeBinding } from "../native.js";

export interface NativeFacts {
  readonly landlockAbi: number;
  readonly seccomp: boolean;
  readonly execHelper: string | null;
  /** cordon-exec can confine unix sockets to an allowlist (ExecSpec.unixSockets). */
  readonly unixSocketMediation: boolean;
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
  cached = { landlockAbi, seccomp, execHelper, unixSocketMediation: binding !== undefined && unixSocketMediation(), problems };
  return cached;
}

/** The addon's seccomp program builder (throws NativeUnavailableError when the addon is missing). */
export function buildSeccomp(options: { network: "none" | "proxy" | "full"; allowUnixSockets: boolean }): Uint8Array {
  return loadNative().buildSeccompProgram(options);
}

/**
 * Whether the native side offers unix socket mediation. Looked up dynamically: the export arrives with a
 * later native change, and this code must build and refuse correctly before it does.
 */
function unixSocketMediation(): boolean {
  const probe = (native as Record<string, unknown>)["supportsUnixSocketMediation"];
  if (typeof probe !== "function") return false;
  try {
    return (probe as () => unknown)() === true;
  } catch {
    return false;
  }
}
