// argv → a parsed command line. Knows the option grammar of spec/cli.md and nothing about policy.
import { parseArgs } from "node:util";

export const COMMANDS = ["run", "explain", "env", "profiles", "check", "doctor", "plan", "schema"] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CommonOptions {
  readonly profile: string | undefined;
  readonly configFiles: readonly string[];
  readonly overrides: readonly string[];
  readonly requirementsFiles: readonly string[];
  readonly cwd: string | undefined;
  readonly addDirs: readonly string[];
}

export interface ParsedCommandLine {
  readonly command: CommandName;
  readonly common: CommonOptions;
  readonly json: boolean;
  readonly logDenials: boolean;
  readonly platform: string | undefined;
  readonly domains: readonly string[];
  /** PATHs for explain, the schema kind for schema. */
  readonly positionals: readonly string[];
  /** Everything after `--` (run, plan). */
  readonly commandArgv: readonly string[];
}

/** A mistake in how cordon was called (exit 2, or 125 for run). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const COMMON_OPTIONS = {
  profile: { type: "string", short: "p" },
  config: { type: "string", multiple: true },
  set: { type: "string", short: "c", multiple: true },
  requirements: { type: "string", multiple: true },
  cwd: { type: "string" },
  "add-dir": { type: "string", multiple: true },
} as const;

const OPTIONS_BY_COMMAND = {
  run: { ...COMMON_OPTIONS, "log-denials": { type: "boolean" } },
  explain: { ...COMMON_OPTIONS, json: { type: "boolean" }, domain: { type: "string", multiple: true } },
  env: { ...COMMON_OPTIONS, json: { type: "boolean" } },
  profiles: { ...COMMON_OPTIONS, json: { type: "boolean" } },
  check: { ...COMMON_OPTIONS },
  doctor: { json: { type: "boolean" } },
  plan: { ...COMMON_OPTIONS, json: { type: "boolean" }, platform: { type: "string" } },
  schema: {},
} as const;

/** Parses `cordon <command> [options] [-- CMD…]`. Throws UsageError. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError("missing command (try `cordon --help`)");
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}" (commands: ${COMMANDS.join(", ")})`);

  const dashDash = rest.indexOf("--");
  const optionArgs = dashDash === -1 ? rest : rest.slice(0, dashDash);
  const commandArgv = dashDash === -1 ? [] : rest.slice(dashDash + 1);
  if ((first === "run" || first === "plan") && dashDash === -1) {
    throw new UsageError(`\`cordon ${first}\` needs the command after \`--\`, e.g. cordon ${first} -- echo ok`);
  }
  if (first !== "run" && first !== "plan" && dashDash !== -1) {
    throw new UsageError(`\`cordon ${first}\` does not take a command after \`--\``);
  }

  let parsed;
  try {
    parsed = parseArgs({ args: optionArgs, options: OPTIONS_BY_COMMAND[first], allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify.*$/s, "") : String(error));
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const positionals = parsed.positionals;
  if (first !== "explain" && first !== "schema" && positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}" for \`cordon ${first}\``);
  }
  if ((first === "run" || first === "plan") && commandArgv.length === 0) {
    throw new UsageError(`no command given after \`--\``);
  }

  return {
    command: first,
    common: {
      profile: stringValue(values.profile),
      configFiles: listValue(values.config),
      overrides: listValue(values.set),
      requirementsFiles: listValue(values.requirements),
      cwd: stringValue(values.cwd),
      addDirs: listValue(values["add-dir"]),
    },
    json: values.json === true,
    logDenials: values["log-denials"] === true,
    platform: stringValue(values.platform),
    domains: listValue(values.domain),
    positionals,
    commandArgv,
  };
}

function isCommand(word: string): word is CommandName {
  return (COMMANDS as readonly string[]).includes(word);
}

function stringValue(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function listValue(value: unknown): readonly string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export const HELP = `cordon — run commands under OS-enforced least-privilege permission profiles

Usage:
  cordon run      [common] [--log-denials] -- CMD [ARGS…]   run CMD under the selected profile
  cordon explain  [common] [--json] [PATH…] [--domain HOST[:PORT]]…   what the profile allows, and why
  cordon env      [common] [--json]            the environment CMD would get (without run-time proxy vars)
  cordon profiles [common] [--json]            every profile: allowed?, default?, where defined
  cordon check    [common]                     validate every layer; print warnings
  cordon doctor   [--json]                     what this host can enforce
  cordon plan     [common] [--platform linux|macos|windows] -- CMD…   a backend's launch plan or refusal
  cordon schema   [config|requirements]        JSON Schema for editors

Common options:
  -p, --profile NAME        select a profile (else default_permissions, else :workspace)
  --config FILE             add a config layer (repeatable; later wins)
  -c, --set KEY=VALUE       TOML override, e.g. -c 'permissions.p.network.enabled=true' (repeatable)
  --requirements FILE       add a managed requirements layer (repeatable; later wins)
  --cwd DIR                 working directory of the command (default: current directory)
  --add-dir DIR             add a workspace root (repeatable)

Environment: CORDON_HOME (default ~/.cordon), CORDON_SYSTEM_DIR (default /etc/cordon).
`;
