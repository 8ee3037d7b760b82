// SPDX-License-Identifier: Apache-2.0
// rbarrier reset NAME: end the current generation as reset.
#include <fmt/format.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "session.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

namespace {

struct ResetOptions {
  std::string name;
};

constexpr OptionSpec k_options[] = {
    k_name_option,
};

Result reset(const GlobalOptions& global, const ResetOptions& options) {
  Session session(global.server);
  const Barrier barrier(global.prefix, options.name, global.ttl);
  const Deadline deadline = Clock::now() + global.server.connect_timeout;
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

Prepared build(const Values& values, const GlobalOptions&) {
  return prepare(ResetOptions{barrier_name(values)}, reset);
}

} // namespace

extern const Subcommand k_reset{
    .name = "reset",
    .summary = "end the current generation as reset (waiters exit 3) and reopen a broken barrier",
    .options = k_options,
    .build = build};

} // namespace rbarrier::commands
