#include "redis/cluster.hpp"

#include <charconv>
#include <fmt/format.h>

#include "util/error.hpp"

namespace rbarrier::redis {

std::optional<Redirection> parse_redirection(std::string_view error) {
  Redirection redirection;
  redirection.moved = error.starts_with("MOVED ");
  if (!redirection.moved && !error.starts_with("ASK ")) {
    return std::nullopt;
  }
  const auto invalid = [&] {
    return ProtocolError(fmt::format("unexpected cluster redirection: {}", error));
  };
  // "MOVED 3999 127.0.0.1:6381"; an empty host (":6381") means the node that answered.
  const std::string_view address = error.substr(error.rfind(' ') + 1);
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) {
    throw invalid();
  }
  if (colon > 0) {
    redirection.host = std::string(address.substr(0, colon));
  }
  const std::string_view port = address.substr(colon + 1);
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), redirection.port);
  if (ec != std::errc() || end != port.data() + port.size() || port.empty() ||
      redirection.port <= 0 || redirection.port > 65535) {
    throw invalid();
  }
  return redirection;
}

} // namespace rbarrier::redis
