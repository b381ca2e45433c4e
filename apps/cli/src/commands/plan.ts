// `cordon plan`: the launch plan a backend would use for a command, or its refusal. Works for any
// platform on any OS: a foreign platform is planned purely, from a typical host's facts.
import { resolvePolicy } from "@cordon/policy-model";
import { UsageError, type ParsedCommandLine } from "../args.js";
import { loadBackend, parsePlatformName, platformOf } from "../backend.js";
import { printJson } from "../output.js";
import { resolveOptionsFrom } from "../resolve-options.js";

export async function planCommand(cli: ParsedCommandLine): Promise<number> {
  const hostPlatform = platformOf(process.platform);
  const platform = cli.platform === undefined ? hostPlatform : parsePlatformName(cli.platform);
  if (!platform) throw new UsageError(cli.platform === undefined ? `no backend for ${process.platform}; pass --platform linux|macos|windows` : `--platform must be linux, macos or windows (got "${cli.platform}")`);
  const policy = resolvePolicy({ ...resolveOptionsFrom(cli.common), platform });
  const backend = await loadBackend(platform);
  const command = { argv: cli.commandArgv, cwd: policy.cwd, env: policy.environment };
  const result = platform === hostPlatform ? await backend.plan(policy, command) : backend.planFor(policy, command);
  if (result.ok) {
    printJson({ platform, ok: true, plan: result.plan });
    return 0;
  }
  printJson({ platform, ok: false, refusal: result.refusal });
  return 3;
}
