#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rbarrier::redis {

// A Redis Cluster redirection: "MOVED 3999 127.0.0.1:6381" (the slot lives there now) or
// "ASK 3999 127.0.0.1:6381" (ask there, once, after ASKING).
struct Redirection {
  bool moved = false;
  std::optional<std::string> host; // none: the node that answered
  int port = 0;
};

// The redirection an error reply names, or nullopt for any other error. Throws ProtocolError
// for a MOVED or ASK reply without a valid address.
std::optional<Redirection> parse_redirection(std::string_view error);

} // namespace rbarrier::redis
