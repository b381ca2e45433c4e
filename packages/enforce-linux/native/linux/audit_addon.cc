// N-API marshalling for the denial log: audit status, the collector handle, and syscall names; the logic
// lives in audit_netlink.cc, audit_collector.cc and audit_marker.cc.
#include "audit_addon.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "audit_collector.h"
#include "audit_marker.h"
#include "audit_netlink.h"
#include "syscall_table.h"

namespace cordon {
namespace {

/** { errno: 1, message: "<step>: Operation not permitted" } (JS maps errno to its name). */
Napi::Object ErrorResult(Napi::Env env, const std::string& step, int err) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("errno", Napi::Number::New(env, err));
  result.Set("message", Napi::String::New(env, step + ": " + std::strerror(err)));
  return result;
}

/** status() → { ok: true, enabled, lost, backlogLimit, rateLimit, auditdPid } | { ok: false, errno, message } */
Napi::Value StatusJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AuditStatus status;
  const int rc = QueryAuditStatus(&status);
  if (rc < 0) {
    Napi::Object error = ErrorResult(env, "AUDIT_GET", -rc);
    error.Set("ok", false);
    return error;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("ok", true);
  result.Set("enabled", Napi::Number::New(env, status.enabled));
  result.Set("lost", Napi::Number::New(env, status.lost));
  result.Set("backlogLimit", Napi::Number::New(env, status.backlog_limit));
  result.Set("rateLimit", Napi::Number::New(env, status.rate_limit));
  result.Set("auditdPid", Napi::Number::New(env, status.auditd_pid));
  return result;
}

/** The JS handle of one running collector. */
class CollectorHandle : public Napi::ObjectWrap<CollectorHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "AuditCollector",
                       {InstanceMethod("emitMarker", &CollectorHandle::EmitMarker), InstanceMethod("sawSeccompFrom", &CollectorHandle::SawSeccompFrom),
                        InstanceMethod("stop", &CollectorHandle::Stop)});
  }

  explicit CollectorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CollectorHandle>(info), collector_(new AuditCollector) {}

  AuditCollector* collector() { return collector_.get(); }

 private:
  /** emitMarker(logErrno) → marker pid, or -errno. */
  Napi::Value EmitMarker(const Napi::CallbackInfo& info) {
    const bool log_errno = info.Length() > 0 && info[0].ToBoolean().Value();
    return Napi::Number::New(info.Env(), EmitAuditMarker(log_errno));
  }

  Napi::Value SawSeccompFrom(const Napi::CallbackInfo& info) {
    if (info.Length() != 1 || !info[0].IsNumber()) {
      Napi::TypeError::New(info.Env(), "sawSeccompFrom: expected a pid").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    return Napi::Boolean::New(info.Env(), collector_->SawSeccompFrom(info[0].As<Napi::Number>().Int32Value()));
  }

  /** stop() → { records: [{ type, text }], forks: Int32Array of (parentTgid, childPid, childTgid) triples, … } */
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CollectedAudit collected = collector_->Stop();
    Napi::Array records = Napi::Array::New(env, collected.records.size());
    for (size_t i = 0; i < collected.records.size(); ++i) {
      Napi::Object record = Napi::Object::New(env);
      record.Set("type", Napi::Number::New(env, collected.records[i].type));
      record.Set("text", Napi::String::New(env, collected.records[i].text));
      records.Set(static_cast<uint32_t>(i), record);
    }
    Napi::Int32Array forks = Napi::Int32Array::New(env, collected.forks.size() * 3);
    for (size_t i = 0; i < collected.forks.size(); ++i) {
      forks[i * 3] = collected.forks[i].parent_tgid;
      forks[i * 3 + 1] = collected.forks[i].child_pid;
      forks[i * 3 + 2] = collected.forks[i].child_tgid;
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("records", records);
    result.Set("forks", forks);
    result.Set("auditOverflows", Napi::Number::New(env, collected.audit_overflows));
    result.Set("forkOverflows", Napi::Number::New(env, collected.fork_overflows));
    result.Set("recordsOverCap", Napi::Number::New(env, collected.records_over_cap));
    result.Set("procEventsError", collected.proc_events_error == 0 ? env.Null() : ErrorResult(env, "process events subscription", collected.proc_events_error));
    return result;
  }

  std::unique_ptr<AuditCollector> collector_;
};

/** openCollector() → { ok: true, collector } | { ok: false, errno, message } */
Napi::Value OpenCollectorJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* constructor = static_cast<Napi::FunctionReference*>(info.Data());
  Napi::Object handle = constructor->New({});
  const char* step = "collector";
  const int rc = CollectorHandle::Unwrap(handle)->collector()->Start(&step);
  Napi::Object result = rc < 0 ? ErrorResult(env, step, -rc) : Napi::Object::New(env);
  result.Set("ok", rc == 0);
  if (rc == 0) result.Set("collector", handle);
  return result;
}

/** syscallNames("x86_64" | "aarch64") → { [nr]: name } for every syscall the seccomp filters name. */
Napi::Value SyscallNamesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string arch_name = info.Length() == 1 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  if (arch_name != "x86_64" && arch_name != "aarch64") {
    Napi::TypeError::New(env, "syscallNames: arch must be \"x86_64\" or \"aarch64\"").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const Arch arch = arch_name == "x86_64" ? Arch::kX86_64 : Arch::kAarch64;
  Napi::Object names = Napi::Object::New(env);
#define CORDON_SYSCALL_NAME(name, x86, arm)                    \
  if (const int nr = SyscallNumber(Sys::name, arch); nr >= 0) \
    names.Set(Napi::Number::New(env, nr), Napi::String::New(env, #name));
  CORDON_SYSCALLS(CORDON_SYSCALL_NAME)
#undef CORDON_SYSCALL_NAME
  return names;
}

}  // namespace

Napi::Object AuditExports(Napi::Env env) {
  Napi::Object exports = Napi::Object::New(env);
  auto* constructor = new Napi::FunctionReference(Napi::Persistent(CollectorHandle::Define(env)));
  env.AddCleanupHook([constructor] { delete constructor; });  // freed with the environment
  exports.Set("status", Napi::Function::New(env, StatusJs, "status"));
  exports.Set("openCollector", Napi::Function::New(env, OpenCollectorJs, "openCollector", constructor));
  exports.Set("syscallNames", Napi::Function::New(env, SyscallNamesJs, "syscallNames"));
  return exports;
}

}  // namespace cordon
