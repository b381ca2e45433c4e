// N-API marshalling for the probe/build addon (cordon_native.node); logic lives in kernel_probe.cc and seccomp_program.cc.
#include <napi.h>

#include <cstring>
#include <string>

#include "audit_addon.h"
#include "kernel_probe.h"
#include "seccomp_program.h"

namespace cordon {
namespace {

Napi::Value LandlockAbiJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), LandlockAbi());
}

Napi::Value SeccompAvailableJs(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), SeccompFilterAvailable());
}

Napi::Value UnixSocketMediationAvailableJs(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), UnixSocketMediationAvailable());
}

Napi::Value ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

/** buildSeccompProgram({network, allowUnixSockets, arch}) → Uint8Array of struct sock_filter. */
Napi::Value BuildSeccompProgramJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) return ThrowType(env, "buildSeccompProgram: expected an options object");
  Napi::Object options = info[0].As<Napi::Object>();
  Napi::Value network = options.Get("network");
  Napi::Value allow_unix = options.Get("allowUnixSockets");
  Napi::Value arch = options.Get("arch");
  if (env.IsExceptionPending()) return env.Undefined();
  if (!network.IsString() || !allow_unix.IsBoolean() || !arch.IsString()) {
    return ThrowType(env, "buildSeccompProgram: network and arch must be strings, allowUnixSockets a boolean");
  }
  SeccompOptions parsed{};
  const std::string network_name = network.As<Napi::String>().Utf8Value();
  if (network_name == "none") {
    parsed.network = NetworkMode::kNone;
  } else if (network_name == "proxy") {
    parsed.network = NetworkMode::kProxy;
  } else if (network_name == "full") {
    parsed.network = NetworkMode::kFull;
  } else {
    return ThrowType(env, "buildSeccompProgram: network must be \"none\", \"proxy\" or \"full\"");
  }
  const std::string arch_name = arch.As<Napi::String>().Utf8Value();
  if (arch_name == "x86_64") {
    parsed.arch = Arch::kX86_64;
  } else if (arch_name == "aarch64") {
    parsed.arch = Arch::kAarch64;
  } else {
    return ThrowType(env, "buildSeccompProgram: arch must be \"x86_64\" or \"aarch64\"");
  }
  parsed.allow_unix_sockets = allow_unix.As<Napi::Boolean>().Value();

  std::vector<sock_filter> program;
  const int rc = BuildSeccompProgram(parsed, &program);
  if (rc < 0) {
    Napi::Error::New(env, std::string("buildSeccompProgram: ") + std::strerror(-rc)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const size_t bytes = program.size() * sizeof(sock_filter);
  Napi::Uint8Array result = Napi::Uint8Array::New(env, bytes);
  std::memcpy(result.Data(), program.data(), bytes);
  return result;
}

}  // namespace
}  // namespace cordon

// NODE_API_MODULE pastes the name into an identifier, so the init function lives at global scope.
Napi::Object InitCordonNative(Napi::Env env, Napi::Object exports) {
  using namespace cordon;
  exports.Set("landlockAbi", Napi::Function::New(env, LandlockAbiJs, "landlockAbi"));
  exports.Set("seccompAvailable", Napi::Function::New(env, SeccompAvailableJs, "seccompAvailable"));
  exports.Set("buildSeccompProgram", Napi::Function::New(env, BuildSeccompProgramJs, "buildSeccompProgram"));
  exports.Set("unixSocketMediationAvailable", Napi::Function::New(env, UnixSocketMediationAvailableJs, "unixSocketMediationAvailable"));
  exports.Set("audit", AuditExports(env));  // --log-denials (audit_addon.cc)
  return exports;
}

NODE_API_MODULE(cordon_native, InitCordonNative)
