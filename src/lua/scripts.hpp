// SPDX-License-Identifier: Apache-2.0
// The Lua scripts of src/lua, embedded in the binary with their SHA1s.
#pragma once

#include <string_view>

// The scripts of src/lua, embedded by cmake/embed_lua.cmake (each with common.lua in front).
namespace rbarrier::scripts {

struct Script {
  std::string_view name;
  std::string_view sha1;
  std::string_view text;
};

extern const Script k_arrive;
extern const Script k_poll;
extern const Script k_leave;
extern const Script k_reset;
extern const Script k_abort;
extern const Script k_status;
extern const Script k_observe;
extern const Script k_roster;
extern const Script k_enter;
extern const Script k_quit;
extern const Script k_once;
extern const Script k_delete;

} // namespace rbarrier::scripts
