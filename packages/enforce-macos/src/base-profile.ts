// The fixed part of every generated profile: closed by default, then the few non-file allowances any
// command needs to start. Nothing here names a user path. No lsopen, no LaunchServices or Apple Events
// (MAC-04), no keychain/pasteboard/mDNSResponder services (MAC-09), no `(with no-sandbox)` exec.
import { sbplString } from "./sbpl-text.js";

/** sysctl names a command may read: CPU/memory topology and OS identity, nothing about other processes. */
const SYSCTL_NAMES = [
  "hw.activecpu",
  "hw.byteorder",
  "hw.cachelinesize",
  "hw.cpufamily",
  "hw.cputype",
  "hw.cpusubtype",
  "hw.l1dcachesize",
  "hw.l1icachesize",
  "hw.l2cachesize",
  "hw.l3cachesize",
  "hw.logicalcpu",
  "hw.logicalcpu_max",
  "hw.machine",
  "hw.memsize",
  "hw.model",
  "hw.ncpu",
  "hw.nperflevels",
  "hw.pagesize",
  "hw.physicalcpu",
  "hw.physicalcpu_max",
  "hw.tbfrequency",
  "hw.vectorunit",
  "kern.argmax",
  "kern.hostname",
  "kern.maxfilesperproc",
  "kern.maxproc",
  "kern.ngroups",
  "kern.osproductversion",
  "kern.osrelease",
  "kern.ostype",
  "kern.osvariant_status",
  "kern.osversion",
  "kern.secure_kernel",
  "kern.usrstack64",
  "kern.version",
  "machdep.cpu.brand_string",
  "sysctl.proc_cputype",
  "vm.loadavg",
];

/** sysctl name prefixes: CPU feature flags and the per-process queries libc uses on itself. */
const SYSCTL_PREFIXES = ["hw.optional.", "hw.perflevel", "kern.proc.pid.", "kern.proc.pgrp."];

/** The base section, in profile order. Every allowance carries a one-line reason. */
export function baseSection(denyModifier: string): string {
  const sysctl = [
    ...SYSCTL_NAMES.map((n) => `  (sysctl-name ${sbplString(n)})`),
    ...SYSCTL_PREFIXES.map((p) => `  (sysctl-name-prefix ${sbplString(p)})`),
  ].join("\n");
  return `(version 1)
; Closed by default: anything not allowed below is denied (and tagged for the denial log).
(deny default ${denyModifier})

; Run programs and fork; exec is further limited to readable files in the file section below.
(allow process-fork)
; Signal and inspect only processes inside this sandbox.
(allow signal (target same-sandbox))
(allow process-info* (target same-sandbox))

; Read-only system facts that libc, language runtimes and build tools query at startup.
(allow sysctl-read
${sysctl})

; getpwuid()/getgrgid(): user and group lookups (shells, git, ssh resolve the current user).
(allow mach-lookup (global-name "com.apple.system.opendirectoryd.libinfo"))
; Named POSIX semaphores: Python multiprocessing locks.
(allow ipc-posix-sem)

; The null, zero and random devices.
(allow file-read* file-write* (literal "/dev/null") (literal "/dev/zero"))
(allow file-read* (literal "/dev/random") (literal "/dev/urandom"))
; The command's own file descriptors and controlling terminal.
(allow file-read* file-write* (literal "/dev/tty") (subpath "/dev/fd"))
(allow file-read-metadata (literal "/dev") (literal "/dev/stdin") (literal "/dev/stdout") (literal "/dev/stderr"))
; Terminal ioctls (tcgetattr, window size) on the terminal the command inherited.
(allow file-ioctl (literal "/dev/tty") (regex "^/dev/ttys[0-9]+$"))
; openpty(): new pseudo-terminals, usable only when this sandbox created them.
(allow pseudo-tty)
(allow file-read* file-write* file-ioctl (literal "/dev/ptmx"))
(allow file-read* file-write* (require-all (regex "^/dev/ttys[0-9]+$") (extension "com.apple.sandbox.pty")))
`;
}

/** Mach services a TLS client needs to verify certificates; only granted when the network is on. */
export const TLS_TRUST_SERVICES = ["com.apple.trustd.agent"] as const;
