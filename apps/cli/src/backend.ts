// Picks the enforcement backend for an OS. Literal imports only: no computed module names, and no
// environment variable can swap the enforcer. A missing backend is an error, never a fallback.
import type { Backend, Platform } from "@cordon/policy-model";

/** The backend package could not be loaded: says which package to install. */
export class BackendUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackendUnavailableError";
  }
}

const PACKAGE_BY_PLATFORM: Record<Platform, string> = {
  linux: "@cordon/enforce-linux",
  macos: "@cordon/enforce-macos",
  windows: "@cordon/enforce-windows",
};

/** Maps Node's process.platform to a cordon platform, or undefined when cordon has no backend for it. */
export function platformOf(nodePlatform: NodeJS.Platform): Platform | undefined {
  switch (nodePlatform) {
    case "linux":
      return "linux";
    case "darwin":
      return "macos";
    case "win32":
      return "windows";
    default:
      return undefined;
  }
}

export function parsePlatformName(name: string): Platform | undefined {
  return name === "linux" || name === "macos" || name === "windows" ? name : undefined;
}

/**
 * Imports the module of a platform's backend package. The `cordon` bin supplies one with its own literal
 * imports (the Linux package's self-contained "./bundle" entry, which the bundled CLI cannot import
 * itself: code run by node:vm cannot import()); never anything taken from the environment.
 */
export type BackendImporter = (platform: Platform) => Promise<Backend>;

let suppliedImporter: BackendImporter | undefined;

/** Called once by the bin before it runs a backend command on the bundled CLI. */
export function useBackendImporter(importer: BackendImporter): void {
  suppliedImporter = importer;
}

/** Loads the backend for `platform` (default: this host). Throws BackendUnavailableError. */
export async function loadBackend(platform: Platform): Promise<Backend> {
  try {
    if (suppliedImporter) return await suppliedImporter(platform);
    switch (platform) {
      case "linux":
        return (await import("@cordon/enforce-linux")).linuxBackend as Backend;
      case "macos":
        return (await import("@cordon/enforce-macos")).macosBackend as Backend;
      case "windows":
        return (await import("@cordon/enforce-windows")).windowsBackend as Backend;
    }
  } catch (error) {
    if (isModuleNotFound(error)) {
      const pkg = PACKAGE_BY_PLATFORM[platform];
      throw new BackendUnavailableError(
        `the ${platform} backend is not installed: install ${pkg} (npm install ${pkg}). ` +
          `It is an optional dependency of cordon: was cordon installed with --omit=optional, or node_modules copied from another OS?`,
      );
    }
    throw error;
  }
}

/** The backend for the host cordon runs on. */
export async function loadHostBackend(): Promise<Backend> {
  const platform = platformOf(process.platform);
  if (!platform) throw new BackendUnavailableError(`cordon has no enforcement backend for ${process.platform}; refusing to run anything unsandboxed`);
  return loadBackend(platform);
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}
