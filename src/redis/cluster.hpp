// SPDX-License-Identifier: Apache-2.0
// Redis Cluster: MOVED and ASK redirections, and the nodes CLUSTER SLOTS names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/endpoint.hpp"
#include "redis/reply.hpp"

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

// Every node, master or replica, that a CLUSTER SLOTS reply names, each once; an empty host
// means `answering_host`, the node that replied. Throws ProtocolError for a malformed reply.
std::vector<Endpoint::Address> parse_cluster_nodes(const Reply& slots,
                                                   std::string_view answering_host);
// The masters only: the first node of each range.
std::vector<Endpoint::Address> parse_cluster_masters(const Reply& slots,
                                                     std::string_view answering_host);

} // namespace rbarrier::redis
