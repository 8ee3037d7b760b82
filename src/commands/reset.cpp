#include <fmt/format.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "commands/session.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

Result reset(const GlobalOptions& global, const ResetOptions& options) {
  Session session(global);
  const Barrier barrier(global.prefix, options.name, global.ttl);
  const Deadline deadline = Clock::now() + global.connect_timeout;
  const auto generation =
      session.run([&](redis::Connection& connection,
                      Deadline attempt) { return barrier.reset(connection, attempt); },
                  deadline);
  session.wait_for_replicas(options.name);
  if (generation) {
    log::verbose("reset barrier {} (generation {})", quote(options.name), *generation);
  } else {
    log::verbose("barrier {} does not exist: nothing to reset", quote(options.name));
  }
  return {};
}

} // namespace rbarrier::commands
