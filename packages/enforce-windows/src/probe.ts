// probe(): what this host can enforce (`cordon doctor`). Never throws: problems are reported.
import { existsSync } from "node:fs";
import type { Capability, ProbeReport } from "@cordon/policy-model";
import { defaultStateDir } from "./gather.js";
import { execHelperPath, loadNative } from "./native.js";
import { readSetupState } from "./setup.js";

export const BACKEND_NAME = "@cordon/enforce-windows";
const SETUP_HINT = "run `cordon setup windows` once from an administrator prompt (creates the sandbox users and firewall filters)";

/** Probes the host. `stateDir` is injectable for tests. */
export async function probeWindows(stateDir: string = defaultStateDir()): Promise<ProbeReport> {
  if (process.platform !== "win32") {
    return {
      platform: "windows",
      backend: BACKEND_NAME,
      ready: false,
      capabilities: { windows: { available: false, detail: `this host is ${process.platform}` } },
      problems: [`${BACKEND_NAME} enforces policies only on Windows; install the backend for this OS`],
    };
  }
  const capabilities: Record<string, Capability> = {};
  const problems: string[] = [];
  let native;
  try {
    native = loadNative();
    capabilities["nativeAddon"] = { available: true };
  } catch (error) {
    capabilities["nativeAddon"] = { available: false, detail: (error as Error).message };
    problems.push((error as Error).message);
  }
  const helper = execHelperPath();
  capabilities["execHelper"] = existsSync(helper) ? { available: true, detail: helper } : { available: false, detail: `${helper} missing` };
  if (!existsSync(helper)) problems.push(`the launcher ${helper} is not built; run \`npm run build:native -w ${BACKEND_NAME}\``);

  const setup = readSetupState(stateDir);
  const usersPresent = !!setup && !!native && [setup.group, setup.offlineUser, setup.onlineUser].every((p) => safe(() => native.lookupAccountSid(p.name)) === p.sid);
  capabilities["sandboxUsers"] = usersPresent ? { available: true, detail: `${setup.offlineUser.name}, ${setup.onlineUser.name}` } : { available: false, detail: setup ? "setup state found but the accounts are missing" : "not set up" };
  const offline = usersPresent && !!safe(() => native!.userFiltersInstalled(setup.offlineUser.sid));
  const online = usersPresent && !!safe(() => native!.userFiltersInstalled(setup.onlineUser.sid));
  capabilities["firewallOffline"] = { available: offline, detail: offline ? "WFP filters block every connection of the offline user" : "missing" };
  capabilities["firewallProxyOnly"] = {
    available: online,
    detail: online && setup?.firewall.proxyPortRange ? `WFP filters allow only loopback TCP ${setup.firewall.proxyPortRange[0]}-${setup.firewall.proxyPortRange[1]}` : "missing",
  };
  capabilities["denyRead"] = { available: usersPresent, detail: usersPresent ? "DENY ACEs for the sandbox user" : "needs the sandbox user (unelevated restricted tokens cannot deny reads)" };
  capabilities["writeRestriction"] = { available: !!native, detail: "WRITE_RESTRICTED token with a per-run capability SID" };
  capabilities["processTree"] = { available: !!native, detail: "job object with KILL_ON_JOB_CLOSE" };
  capabilities["elevatedProcess"] = { available: !!native && !!safe(() => native!.isElevated()), detail: "needed only for setup" };
  if (!usersPresent || !offline || !online) problems.push(SETUP_HINT);
  return {
    platform: "windows",
    backend: BACKEND_NAME,
    ready: problems.length === 0,
    capabilities,
    problems,
  };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
