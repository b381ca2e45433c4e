// zod schemas for config.toml and requirements.toml: the single statement of what keys exist.
// Strict objects everywhere: an unknown key in a security policy is an error, not a silent no-op.
import { z } from "zod";

export const AccessValue = z.enum(["read", "write", "deny", "none"]).describe('"read", "write" or "deny" ("none" = "deny")');

/** A nested table under `:workspace_roots`, an absolute path or `~/…`: relative subpath -> access. */
export const ScopedAccess = z.record(z.string(), AccessValue);

export const FilesystemEntry = z.union([AccessValue, ScopedAccess]);

export const FilesystemTable = z
  .object({
    glob_scan_max_depth: z
      .number()
      .int("glob_scan_max_depth must be an integer")
      .min(1, "glob_scan_max_depth must be at least 1")
      .optional()
      .describe("How many directory levels below a deny glob's literal prefix are scanned (Linux, Windows)."),
  })
  .catchall(FilesystemEntry)
  .describe("Filesystem rules: absolute path, ~/path or :token -> access, or a nested table of subpath -> access.");

export const DomainDecision = z.enum(["allow", "deny"]);
export const UnixSocketDecision = z.enum(["allow", "deny", "none"]);

export const NetworkTable = z
  .strictObject({
    enabled: z.boolean().optional(),
    mode: z.enum(["limited", "full"]).optional(),
    allow_local_binding: z.boolean().optional(),
    enable_socks5: z.boolean().optional(),
    enable_socks5_udp: z.boolean().optional(),
    proxy_url: z.string().optional(),
    socks_url: z.string().optional(),
    allow_upstream_proxy: z.boolean().optional(),
    domains: z.record(z.string(), DomainDecision).optional(),
    unix_sockets: z.record(z.string(), UnixSocketDecision).optional(),
  })
  .describe("Network access through the managed proxy; off unless enabled = true.");

export const ProfileTable = z
  .strictObject({
    description: z.string().optional().describe("Human-readable description (not inherited through extends)."),
    extends: z.string().optional().describe('Parent profile: ":read-only", ":workspace" or another named profile.'),
    workspace_roots: z
      .record(z.string(), z.boolean())
      .optional()
      .describe("Extra workspace roots (~ expanded, relative paths against the cwd); only true entries count."),
    filesystem: FilesystemTable.optional(),
    network: NetworkTable.optional(),
  })
  .describe("A permission profile.");

/** Profile names: anything except a leading ":" (reserved for built-ins; checked first with a clear message). */
export const ProfileName = z.string().regex(/^(?!:)/, 'profile names may not start with ":" (reserved for built-ins)');

export const ProfilesTable = z.record(ProfileName, ProfileTable).describe("Permission profiles by name.");

export const ShellEnvironmentPolicyTable = z.strictObject({
  inherit: z.enum(["all", "core", "none"]).optional(),
  ignore_default_excludes: z.boolean().optional(),
  exclude: z.array(z.string()).optional(),
  set: z.record(z.string(), z.string()).optional(),
  include_only: z.array(z.string()).optional(),
});

export const SandboxWorkspaceWriteTable = z.strictObject({
  writable_roots: z.array(z.string()).optional(),
  network_access: z.boolean().optional(),
  exclude_tmpdir_env_var: z.boolean().optional(),
  exclude_slash_tmp: z.boolean().optional(),
});

export const ConfigFile = z.strictObject({
  default_permissions: z.string().optional().describe("The profile used when --profile is not given."),
  permissions: ProfilesTable.optional(),
  sandbox_mode: z
    .enum(["read-only", "workspace-write", "danger-full-access"])
    .optional()
    .describe("Legacy setting; does not compose with default_permissions or --profile."),
  sandbox_workspace_write: SandboxWorkspaceWriteTable.optional().describe("Legacy workspace-write settings."),
  shell_environment_policy: ShellEnvironmentPolicyTable.optional().describe("The command's starting environment."),
});

export const RequirementsFile = z.strictObject({
  allowed_permission_profiles: z
    .record(z.string(), z.boolean())
    .optional()
    .describe("Closed allowlist: only profiles whose merged value is true may be selected."),
  default_permissions: z.string().optional().describe("The managed default profile; must be allowed by allowed_permission_profiles."),
  permissions: ProfilesTable.optional().describe("Managed profiles."),
});

export type AccessValue = z.infer<typeof AccessValue>;
export type ScopedAccess = z.infer<typeof ScopedAccess>;
export type FilesystemTable = z.infer<typeof FilesystemTable>;
export type NetworkTable = z.infer<typeof NetworkTable>;
export type ProfileTable = z.infer<typeof ProfileTable>;
export type ShellEnvironmentPolicyTable = z.infer<typeof ShellEnvironmentPolicyTable>;
export type ConfigFile = z.infer<typeof ConfigFile>;
export type RequirementsFile = z.infer<typeof RequirementsFile>;
