// N-API surface of @cordon/enforce-windows: argument marshalling only; the work is in acl/identity/firewall.
#include <napi.h>

#include "acl.h"
#include "firewall.h"
#include "identity.h"

namespace {

using cordon::Status;

Napi::Value throw_status(const Napi::Env& env, const Status& st, const std::string& context = "") {
  Napi::Error::New(env, context.empty() ? st.text() : context + ": " + st.text()).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool want_strings(const Napi::CallbackInfo& info, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (info.Length() <= i || !info[i].IsString()) {
      Napi::TypeError::New(info.Env(), "expected string argument " + std::to_string(i)).ThrowAsJavaScriptException();
      return false;
    }
  }
  return true;
}

std::wstring wide(const Napi::Value& v) { return cordon::widen(v.As<Napi::String>().Utf8Value()); }
Napi::String js(const Napi::Env& env, const std::wstring& s) { return Napi::String::New(env, cordon::narrow(s)); }

Napi::Value IsElevated(const Napi::CallbackInfo& info) {
  bool elevated = false;
  Status st = cordon::is_elevated(elevated);
  return st.ok() ? Napi::Boolean::New(info.Env(), elevated) : throw_status(info.Env(), st);
}

Napi::Value CurrentUserSid(const Napi::CallbackInfo& info) {
  std::wstring sid;
  Status st = cordon::current_user_sid(sid);
  return st.ok() ? js(info.Env(), sid) : throw_status(info.Env(), st);
}

Napi::Value LookupAccountSid(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  std::wstring sid;
  bool found = false;
  Status st = cordon::lookup_account_sid(wide(info[0]), sid, found);
  if (!st.ok()) return throw_status(info.Env(), st);
  return found ? static_cast<Napi::Value>(js(info.Env(), sid)) : info.Env().Null();
}

Napi::Value LocalDrives(const Napi::CallbackInfo& info) {
  std::vector<std::wstring> drives = cordon::local_drives();
  Napi::Array out = Napi::Array::New(info.Env(), drives.size());
  for (size_t i = 0; i < drives.size(); i++) out.Set(static_cast<uint32_t>(i), js(info.Env(), drives[i]));
  return out;
}

Napi::Value LongPathName(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  std::wstring out;
  bool found = false;
  Status st = cordon::long_path_name(wide(info[0]), out, found);
  if (!st.ok()) return throw_status(info.Env(), st);
  return found ? static_cast<Napi::Value>(js(info.Env(), out)) : info.Env().Null();
}

Napi::Value PathState(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  int state = 0;
  Status st = cordon::path_state(wide(info[0]), state);
  if (!st.ok()) return throw_status(info.Env(), st, info[0].As<Napi::String>().Utf8Value());
  return Napi::String::New(info.Env(), state == 0 ? "missing" : state == 1 ? "file" : "directory");
}

Napi::Value ScanInheritanceBreaks(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  if (info.Length() < 2 || !info[1].IsNumber()) {
    Napi::TypeError::New(info.Env(), "expected maxEntries").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  std::vector<std::wstring> found;
  std::wstring failed;
  Status st = cordon::scan_inheritance_breaks(wide(info[0]), static_cast<size_t>(info[1].As<Napi::Number>().Int64Value()), found, failed);
  if (!st.ok()) return throw_status(info.Env(), st, cordon::narrow(failed));
  Napi::Array out = Napi::Array::New(info.Env(), found.size());
  for (size_t i = 0; i < found.size(); i++) out.Set(static_cast<uint32_t>(i), js(info.Env(), found[i]));
  return out;
}

Napi::Value AddAce(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(info.Env(), "expected an ACE object").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  Napi::Object ace = info[0].As<Napi::Object>();
  Napi::Value path = ace.Get("path"), sid = ace.Get("sid"), type = ace.Get("type"), mask = ace.Get("mask"), inherit = ace.Get("inherit");
  if (!path.IsString() || !sid.IsString() || !type.IsString() || !mask.IsNumber() || !inherit.IsBoolean()) {
    Napi::TypeError::New(info.Env(), "ACE needs path, sid, type, mask, inherit").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const std::string kind = type.As<Napi::String>().Utf8Value();
  if (kind != "allow" && kind != "deny") {
    Napi::TypeError::New(info.Env(), "ACE type must be allow or deny").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  Status st = cordon::add_ace(wide(path), wide(sid), kind == "deny", mask.As<Napi::Number>().Uint32Value(), inherit.As<Napi::Boolean>().Value());
  return st.ok() ? info.Env().Undefined() : throw_status(info.Env(), st, path.As<Napi::String>().Utf8Value());
}

Napi::Value RemoveAces(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 2)) return info.Env().Undefined();
  Status st = cordon::remove_aces(wide(info[0]), wide(info[1]));
  return st.ok() ? info.Env().Undefined() : throw_status(info.Env(), st, info[0].As<Napi::String>().Utf8Value());
}

Napi::Value CreateDirectory(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  Status st = cordon::create_directory(wide(info[0]));
  return st.ok() ? info.Env().Undefined() : throw_status(info.Env(), st, info[0].As<Napi::String>().Utf8Value());
}

Napi::Value RemoveEmptyDirectory(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  Status st = cordon::remove_empty_directory(wide(info[0]));
  return st.ok() ? info.Env().Undefined() : throw_status(info.Env(), st, info[0].As<Napi::String>().Utf8Value());
}

Napi::Value CreatePrivateDirectory(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  Status st = cordon::create_private_directory(wide(info[0]));
  return st.ok() ? info.Env().Undefined() : throw_status(info.Env(), st, info[0].As<Napi::String>().Utf8Value());
}

Napi::Value EnsureLocalGroup(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 2)) return info.Env().Undefined();
  std::wstring sid;
  Status st = cordon::ensure_local_group(wide(info[0]), wide(info[1]), sid);
  return st.ok() ? static_cast<Napi::Value>(js(info.Env(), sid)) : throw_status(info.Env(), st);
}

Napi::Value EnsureLocalUser(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 3)) return info.Env().Undefined();
  std::wstring sid;
  std::wstring password = wide(info[1]);
  Status st = cordon::ensure_local_user(wide(info[0]), password, wide(info[2]), sid);
  SecureZeroMemory(&password[0], password.size() * sizeof(wchar_t));
  return st.ok() ? static_cast<Napi::Value>(js(info.Env(), sid)) : throw_status(info.Env(), st);
}

Napi::Value ProtectData(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  std::string out;
  Status st = cordon::protect_data(info[0].As<Napi::String>().Utf8Value(), out);
  return st.ok() ? static_cast<Napi::Value>(Napi::String::New(info.Env(), out)) : throw_status(info.Env(), st);
}

Napi::Value UnprotectData(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  std::string out;
  Status st = cordon::unprotect_data(info[0].As<Napi::String>().Utf8Value(), out);
  return st.ok() ? static_cast<Napi::Value>(Napi::String::New(info.Env(), out)) : throw_status(info.Env(), st);
}

Napi::Value InstallUserFilters(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  if (info.Length() < 3 || !info[1].IsNumber() || !info[2].IsNumber()) {
    Napi::TypeError::New(info.Env(), "expected port range numbers").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  Status st = cordon::install_user_filters(wide(info[0]), static_cast<UINT16>(info[1].As<Napi::Number>().Uint32Value()), static_cast<UINT16>(info[2].As<Napi::Number>().Uint32Value()));
  return st.ok() ? info.Env().Undefined() : throw_status(info.Env(), st);
}

Napi::Value UserFiltersInstalled(const Napi::CallbackInfo& info) {
  if (!want_strings(info, 1)) return info.Env().Undefined();
  bool installed = false;
  Status st = cordon::user_filters_installed(wide(info[0]), installed);
  return st.ok() ? Napi::Boolean::New(info.Env(), installed) : throw_status(info.Env(), st);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("isElevated", Napi::Function::New(env, IsElevated));
  exports.Set("currentUserSid", Napi::Function::New(env, CurrentUserSid));
  exports.Set("lookupAccountSid", Napi::Function::New(env, LookupAccountSid));
  exports.Set("localDrives", Napi::Function::New(env, LocalDrives));
  exports.Set("longPathName", Napi::Function::New(env, LongPathName));
  exports.Set("pathState", Napi::Function::New(env, PathState));
  exports.Set("scanInheritanceBreaks", Napi::Function::New(env, ScanInheritanceBreaks));
  exports.Set("addAce", Napi::Function::New(env, AddAce));
  exports.Set("removeAces", Napi::Function::New(env, RemoveAces));
  exports.Set("createDirectory", Napi::Function::New(env, CreateDirectory));
  exports.Set("removeEmptyDirectory", Napi::Function::New(env, RemoveEmptyDirectory));
  exports.Set("createPrivateDirectory", Napi::Function::New(env, CreatePrivateDirectory));
  exports.Set("ensureLocalGroup", Napi::Function::New(env, EnsureLocalGroup));
  exports.Set("ensureLocalUser", Napi::Function::New(env, EnsureLocalUser));
  exports.Set("protectData", Napi::Function::New(env, ProtectData));
  exports.Set("unprotectData", Napi::Function::New(env, UnprotectData));
  exports.Set("installUserFilters", Napi::Function::New(env, InstallUserFilters));
  exports.Set("userFiltersInstalled", Napi::Function::New(env, UserFiltersInstalled));
  return exports;
}

}  // namespace

NODE_API_MODULE(cordon_windows, Init)
