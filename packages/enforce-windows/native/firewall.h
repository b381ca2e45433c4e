// Persistent WFP filters jailing one sandbox user's sockets (Windows Firewall rules skip loopback, WFP
// filters at the ALE layers do not). See: FwpmEngineOpen0, FwpmFilterAdd0, FWPM_CONDITION_ALE_USER_ID.
#pragma once
#include <string>

#include "win_util.h"

namespace cordon {

/**
 * Replaces cordon's filters for `user_sid`: block every outbound connection and every accepted one;
 * when `port_high` > 0 also permit TCP to 127.0.0.1 / ::1 on ports [port_low, port_high].
 */
Status install_user_filters(const std::wstring& user_sid, UINT16 port_low, UINT16 port_high);
/** True when cordon's filters for `user_sid` are present. */
Status user_filters_installed(const std::wstring& user_sid, bool& out);

}  // namespace cordon
