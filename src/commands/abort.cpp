#include <fmt/format.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "commands/session.hpp"
#include "util/identity.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

Result abort(const GlobalOptions& global, const AbortOptions& options) {
  Session session(global);
  const Barrier barrier(global.prefix, options.name, global.ttl);
  const Deadline deadline = Clock::now() + global.connect_timeout;
  const std::string token = random_hex(12);
  session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return barrier.abort(connection, options.reason, token, std::nullopt, {}, attempt);
      },
      deadline);
  session.wait_for_replicas(options.name);
  log::verbose("aborted barrier {}", quote(options.name));
  return {};
}

} // namespace rbarrier::commands
