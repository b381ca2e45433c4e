// WFP filters for the sandbox users (see firewall.h). Everything lives in cordon's own persistent
// provider and a top-weight sublayer; filters are hard (action right cleared) so no lower sublayer —
// including the firewall service's loopback permits — can turn a block into a permit.
#include "firewall.h"

#include <winsock2.h>
#include <fwpmu.h>
#include <sddl.h>

#include <vector>

// Flags some SDK headers (mingw-w64) lack; values from the Windows SDK's fwpmtypes.h.
#ifndef FWPM_FILTER_FLAG_PERSISTENT
#define FWPM_FILTER_FLAG_PERSISTENT 0x00000001
#endif
#ifndef FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT
#define FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT 0x00000008
#endif
#ifndef FWPM_PROVIDER_FLAG_PERSISTENT
#define FWPM_PROVIDER_FLAG_PERSISTENT 0x00000001
#endif
#ifndef FWPM_SUBLAYER_FLAG_PERSISTENT
#define FWPM_SUBLAYER_FLAG_PERSISTENT 0x00000001
#endif

namespace cordon {
namespace {

// Layer and condition keys (fwpmu.h values), defined locally so no TU needs INITGUID and every SDK builds.
const GUID kLayerConnectV4 = {0xc38d57d1, 0x05a7, 0x4c33, {0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e, 0x82}};
const GUID kLayerConnectV6 = {0x4a72393b, 0x319f, 0x44bc, {0x84, 0xc3, 0xba, 0x54, 0xdc, 0xb3, 0xb6, 0xb4}};
const GUID kLayerRecvAcceptV4 = {0xe1cd9fe7, 0xf4b5, 0x4273, {0x96, 0xc0, 0x59, 0x2e, 0x48, 0x7b, 0x86, 0x50}};
const GUID kLayerRecvAcceptV6 = {0xa3b42c97, 0x9f04, 0x4672, {0xb8, 0x7e, 0xce, 0xe9, 0xc4, 0x83, 0x25, 0x7f}};
const GUID kConditionAleUserId = {0xaf043a0a, 0xb34d, 0x4f86, {0x97, 0x9c, 0xc9, 0x03, 0x71, 0xaf, 0x6e, 0x66}};
const GUID kConditionRemoteAddress = {0xb235ae9a, 0x1d64, 0x49b8, {0xa4, 0x4c, 0x5f, 0xf3, 0xd9, 0x09, 0x50, 0x45}};
const GUID kConditionRemotePort = {0xc35a604d, 0xd22b, 0x4e1a, {0x91, 0xb4, 0x68, 0xf6, 0x74, 0xee, 0x67, 0x4b}};
const GUID kConditionProtocol = {0x3971ef2b, 0x623e, 0x4f9a, {0x8c, 0xb1, 0x6e, 0x79, 0xb8, 0x06, 0xb9, 0xa7}};

// {6b0f4c8e-4f53-4b61-9d8e-2f1c0c6e5a01} / {…02}: cordon's provider and sublayer.
const GUID kProvider = {0x6b0f4c8e, 0x4f53, 0x4b61, {0x9d, 0x8e, 0x2f, 0x1c, 0x0c, 0x6e, 0x5a, 0x01}};
const GUID kSublayer = {0x6b0f4c8e, 0x4f53, 0x4b61, {0x9d, 0x8e, 0x2f, 0x1c, 0x0c, 0x6e, 0x5a, 0x02}};

/** Tag stored in each filter's description, so a user's filters can be found and replaced. */
std::wstring tag_for(const std::wstring& sid) { return L"cordon:" + sid; }

class Engine {
 public:
  Status open() {
    FWPM_SESSION0 session{};
    DWORD rc = FwpmEngineOpen0(nullptr, RPC_C_AUTHN_WINNT, nullptr, &session, &handle_);
    return rc == ERROR_SUCCESS ? Status{} : fail("FwpmEngineOpen0", rc);
  }
  ~Engine() {
    if (handle_) FwpmEngineClose0(handle_);
  }
  HANDLE get() const { return handle_; }

 private:
  HANDLE handle_ = nullptr;
};

/** Lists the ids of cordon's filters tagged for `sid`. */
Status find_filters(HANDLE engine, const std::wstring& sid, std::vector<UINT64>& ids) {
  // No template: every filter, filtered below by provider and tag (a template needs one layer).
  HANDLE enumerator = nullptr;
  DWORD rc = FwpmFilterCreateEnumHandle0(engine, nullptr, &enumerator);
  if (rc != ERROR_SUCCESS) return fail("FwpmFilterCreateEnumHandle0", rc);
  const std::wstring tag = tag_for(sid);
  for (;;) {
    FWPM_FILTER0** filters = nullptr;
    UINT32 count = 0;
    rc = FwpmFilterEnum0(engine, enumerator, 256, &filters, &count);
    if (rc != ERROR_SUCCESS) break;
    for (UINT32 i = 0; i < count; i++) {
      const wchar_t* description = filters[i]->displayData.description;
      const bool ours = filters[i]->providerKey != nullptr && IsEqualGUID(*filters[i]->providerKey, kProvider);
      if (ours && description && tag == description) ids.push_back(filters[i]->filterId);
    }
    FwpmFreeMemory0(reinterpret_cast<void**>(&filters));
    if (count < 256) break;
  }
  FwpmFilterDestroyEnumHandle0(engine, enumerator);
  return rc == ERROR_SUCCESS ? Status{} : fail("FwpmFilterEnum0", rc);
}

Status add_filter(HANDLE engine, const GUID& layer, FWP_ACTION_TYPE action, UINT8 weight, std::vector<FWPM_FILTER_CONDITION0>& conditions, const std::wstring& tag, const wchar_t* name) {
  FWPM_FILTER0 filter{};
  filter.displayData.name = const_cast<wchar_t*>(name);
  filter.displayData.description = const_cast<wchar_t*>(tag.c_str());
  filter.flags = FWPM_FILTER_FLAG_PERSISTENT | FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT;
  GUID provider = kProvider;
  filter.providerKey = &provider;
  filter.layerKey = layer;
  filter.subLayerKey = kSublayer;
  filter.weight.type = FWP_UINT8;
  filter.weight.uint8 = weight;
  filter.numFilterConditions = static_cast<UINT32>(conditions.size());
  filter.filterCondition = conditions.data();
  filter.action.type = action;
  UINT64 id = 0;
  DWORD rc = FwpmFilterAdd0(engine, &filter, nullptr, &id);
  return rc == ERROR_SUCCESS ? Status{} : fail("FwpmFilterAdd0", rc);
}

Status install_in_transaction(HANDLE engine, const std::wstring& sid, UINT16 port_low, UINT16 port_high) {
  FWPM_PROVIDER0 provider{};
  provider.providerKey = kProvider;
  provider.displayData.name = const_cast<wchar_t*>(L"cordon sandbox");
  provider.flags = FWPM_PROVIDER_FLAG_PERSISTENT;
  DWORD rc = FwpmProviderAdd0(engine, &provider, nullptr);
  if (rc != ERROR_SUCCESS && rc != static_cast<DWORD>(FWP_E_ALREADY_EXISTS)) return fail("FwpmProviderAdd0", rc);
  FWPM_SUBLAYER0 sublayer{};
  sublayer.subLayerKey = kSublayer;
  sublayer.displayData.name = const_cast<wchar_t*>(L"cordon sandbox users");
  sublayer.flags = FWPM_SUBLAYER_FLAG_PERSISTENT;
  GUID provider_key = kProvider;
  sublayer.providerKey = &provider_key;
  sublayer.weight = 0xFFFF;
  rc = FwpmSubLayerAdd0(engine, &sublayer, nullptr);
  if (rc != ERROR_SUCCESS && rc != static_cast<DWORD>(FWP_E_ALREADY_EXISTS)) return fail("FwpmSubLayerAdd0", rc);

  std::vector<UINT64> old;
  Status st = find_filters(engine, sid, old);
  if (!st.ok()) return st;
  for (UINT64 id : old) {
    rc = FwpmFilterDeleteById0(engine, id);
    if (rc != ERROR_SUCCESS) return fail("FwpmFilterDeleteById0", rc);
  }

  // ALE_USER_ID matches when this security descriptor grants the connecting token access: only the sandbox user.
  const std::wstring sddl = L"O:LSD:(A;;CC;;;" + sid + L")";
  LocalPtr<PSECURITY_DESCRIPTOR> sd;
  ULONG sd_size = 0;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, sd.out(), &sd_size)) return last_error("ConvertStringSecurityDescriptorToSecurityDescriptorW");
  FWP_BYTE_BLOB sd_blob{sd_size, static_cast<UINT8*>(sd.get())};
  FWPM_FILTER_CONDITION0 user{};
  user.fieldKey = kConditionAleUserId;
  user.matchType = FWP_MATCH_EQUAL;
  user.conditionValue.type = FWP_SECURITY_DESCRIPTOR_TYPE;
  user.conditionValue.sd = &sd_blob;

  const std::wstring tag = tag_for(sid);
  const GUID connect[2] = {kLayerConnectV4, kLayerConnectV6};
  const GUID accept[2] = {kLayerRecvAcceptV4, kLayerRecvAcceptV6};
  FWP_V6_ADDR_AND_MASK loopback6{};
  loopback6.addr[15] = 1;
  loopback6.prefixLength = 128;
  FWP_RANGE0 ports{};
  ports.valueLow.type = FWP_UINT16;
  ports.valueLow.uint16 = port_low;
  ports.valueHigh.type = FWP_UINT16;
  ports.valueHigh.uint16 = port_high;

  for (int v = 0; v < 2; v++) {
    if (port_high > 0) {
      std::vector<FWPM_FILTER_CONDITION0> permit{user};
      FWPM_FILTER_CONDITION0 address{};
      address.fieldKey = kConditionRemoteAddress;
      address.matchType = FWP_MATCH_EQUAL;
      if (v == 0) {
        address.conditionValue.type = FWP_UINT32;
        address.conditionValue.uint32 = 0x7F000001;  // 127.0.0.1, host order as WFP expects
      } else {
        address.conditionValue.type = FWP_V6_ADDR_MASK;
        address.conditionValue.v6AddrMask = &loopback6;
      }
      permit.push_back(address);
      FWPM_FILTER_CONDITION0 port{};
      port.fieldKey = kConditionRemotePort;
      port.matchType = FWP_MATCH_RANGE;
      port.conditionValue.type = FWP_RANGE_TYPE;
      port.conditionValue.rangeValue = &ports;
      permit.push_back(port);
      FWPM_FILTER_CONDITION0 protocol{};
      protocol.fieldKey = kConditionProtocol;
      protocol.matchType = FWP_MATCH_EQUAL;
      protocol.conditionValue.type = FWP_UINT8;
      protocol.conditionValue.uint8 = IPPROTO_TCP;
      permit.push_back(protocol);
      st = add_filter(engine, connect[v], FWP_ACTION_PERMIT, 15, permit, tag, L"cordon: sandbox user may reach the egress proxy");
      if (!st.ok()) return st;
    }
    std::vector<FWPM_FILTER_CONDITION0> only_user{user};
    st = add_filter(engine, connect[v], FWP_ACTION_BLOCK, 1, only_user, tag, L"cordon: block every other connection of the sandbox user");
    if (!st.ok()) return st;
    st = add_filter(engine, accept[v], FWP_ACTION_BLOCK, 1, only_user, tag, L"cordon: block connections accepted by the sandbox user");
    if (!st.ok()) return st;
  }
  return Status{};
}

}  // namespace

Status install_user_filters(const std::wstring& user_sid, UINT16 port_low, UINT16 port_high) {
  Engine engine;
  Status st = engine.open();
  if (!st.ok()) return st;
  DWORD rc = FwpmTransactionBegin0(engine.get(), 0);
  if (rc != ERROR_SUCCESS) return fail("FwpmTransactionBegin0", rc);
  st = install_in_transaction(engine.get(), user_sid, port_low, port_high);
  if (!st.ok()) {
    FwpmTransactionAbort0(engine.get());
    return st;
  }
  rc = FwpmTransactionCommit0(engine.get());
  return rc == ERROR_SUCCESS ? Status{} : fail("FwpmTransactionCommit0", rc);
}

Status user_filters_installed(const std::wstring& user_sid, bool& out) {
  Engine engine;
  Status st = engine.open();
  if (!st.ok()) return st;
  std::vector<UINT64> ids;
  st = find_filters(engine.get(), user_sid, ids);
  // Two connect blocks and two accept blocks at least.
  out = st.ok() && ids.size() >= 4;
  return st;
}

}  // namespace cordon
