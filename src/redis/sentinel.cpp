// SPDX-License-Identifier: Apache-2.0
// Where a master is, asked of its Sentinels in turn.
#include "redis/sentinel.hpp"

#include <fmt/format.h>

#include "redis/connection.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier::redis {

Endpoint resolve_master(const Endpoint& endpoint, Deadline deadline, int wake_fd) {
  std::string failures;
  for (const auto& sentinel : endpoint.sentinels) {
    Endpoint address;
    address.host = sentinel.host;
    address.port = sentinel.port;
    try {
      Connection connection(address, {}, deadline, wake_fd);
      const auto reply =
          connection.command({"SENTINEL", "get-master-addr-by-name", endpoint.master}, deadline);
      if (reply.is_nil()) {
        failures +=
            fmt::format("; {} knows no master {}", address.display(), quote(endpoint.master));
        continue;
      }
      const auto& parts = reply.as_array("SENTINEL get-master-addr-by-name");
      if (parts.size() != 2) {
        throw ProtocolError(fmt::format("unexpected reply from sentinel {}: {}", address.display(),
                                        reply.describe()));
      }
      Endpoint master = endpoint;
      master.host = parts[0].as_string("the master's host");
      master.port = static_cast<int>(parts[1].as_integer("the master's port"));
      log::verbose("sentinel {}: master {} is at {}", address.display(), quote(endpoint.master),
                   master.display());
      return master;
    } catch (const ConnectionError& error) {
      failures += fmt::format("; {}", error.what());
    } catch (const RedisError& error) {
      failures += fmt::format("; {}: {}", address.display(), error.what());
    }
  }
  throw ConnectionError(
      fmt::format("no sentinel named the master {}{}", quote(endpoint.master), failures));
}

} // namespace rbarrier::redis
