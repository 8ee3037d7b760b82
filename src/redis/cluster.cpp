// SPDX-License-Identifier: Apache-2.0
// Redis Cluster: MOVED and ASK redirections, and the nodes CLUSTER SLOTS names.
#include "redis/cluster.hpp"

#include <algorithm>
#include <limits>
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

namespace {

// The nodes of each range of a CLUSTER SLOTS reply from `first` on (2: its master, then its
// replicas), up to `last`, each once.
std::vector<Endpoint::Address> cluster_nodes(const Reply& slots, std::string_view answering_host,
                                             std::size_t last) {
  // [[first slot, last slot, [host, port, id...], [replica host, port, id...]...]...]
  constexpr std::string_view what = "CLUSTER SLOTS";
  std::vector<Endpoint::Address> nodes;
  for (const auto& range : slots.as_array(what)) {
    const auto& fields = range.as_array(what);
    for (std::size_t i = 2; i < fields.size() && i <= last; ++i) {
      const auto& node = fields[i].as_array(what);
      if (node.size() < 2) {
        throw ProtocolError(fmt::format("unexpected node in {}: {}", what, fields[i].describe()));
      }
      const auto port = node[1].as_integer(what);
      if (port <= 0 || port > 65535) {
        throw ProtocolError(fmt::format("unexpected port {} in {}", port, what));
      }
      Endpoint::Address address{node[0].as_string(what), static_cast<int>(port)};
      if (address.host.empty()) {
        address.host = answering_host;
      }
      if (std::find(nodes.begin(), nodes.end(), address) == nodes.end()) {
        nodes.push_back(std::move(address));
      }
    }
  }
  return nodes;
}

} // namespace

std::vector<Endpoint::Address> parse_cluster_nodes(const Reply& slots,
                                                   std::string_view answering_host) {
  return cluster_nodes(slots, answering_host, std::numeric_limits<std::size_t>::max());
}

std::vector<Endpoint::Address> parse_cluster_masters(const Reply& slots,
                                                     std::string_view answering_host) {
  return cluster_nodes(slots, answering_host, 2);
}

} // namespace rbarrier::redis
