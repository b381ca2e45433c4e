// N-API surface of the denial log (registered by addon.cc as the single `audit` export).
#pragma once

#include <napi.h>

namespace cordon {

/**
 * { status(), openCollector(), syscallNames(arch) }: the audit status, a collector handle
 * ({ emitMarker(logErrno), sawSeccompFrom(pid), stop() }) and the syscall names the seccomp filter uses.
 */
Napi::Object AuditExports(Napi::Env env);

}  // namespace cordon
