// `:minimal` on macOS (spec 4.1): the platform runtime read roots a command needs to start — the
// loader, system libraries and frameworks, base tools and their configuration. Deliberately absent:
// /System/Volumes/Data (it is every user's data again, through the firmlink), /Applications, /Users.

/** Each root is read-only and takes part in most-specific-wins like any other read rule. */
export const MACOS_MINIMAL_READ_ROOTS: readonly { readonly path: string; readonly why: string }[] = [
  { path: "/bin", why: "base tools" },
  { path: "/sbin", why: "base tools" },
  { path: "/usr", why: "tools, dylibs, share data; includes /usr/local" },
  { path: "/System/Library", why: "frameworks and the dyld cache on older releases" },
  { path: "/System/Cryptexes/OS", why: "the dyld shared cache (macOS 13+)" },
  { path: "/System/Volumes/Preboot/Cryptexes/OS", why: "the dyld shared cache, physical path" },
  { path: "/System/iOSSupport", why: "frameworks some tools link" },
  { path: "/Library/Apple", why: "OS-managed libraries" },
  { path: "/Library/Developer/CommandLineTools", why: "git, clang, python3 behind the /usr/bin shims" },
  { path: "/etc", why: "system configuration (hosts, TLS roots, shells)" },
  { path: "/private/var/select", why: "target of /bin/sh" },
  { path: "/private/var/db/xcode_select_link", why: "where the /usr/bin developer shims look" },
  { path: "/private/var/db/timezone", why: "time zone data" },
  { path: "/private/var/db/dyld", why: "dyld closures" },
  { path: "/opt/homebrew", why: "the system package prefix on Apple silicon" },
];
