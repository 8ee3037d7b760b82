// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "session.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

namespace {

constexpr OptionSpec k_options[] = {
    k_name_option,
};

CommandOptions build(const Values& values, const GlobalOptions&) {
  return ResetOptions{barrier_name(values)};
}

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

} // namespace

const Subcommand k_reset{
    .name = "reset",
    .summary = "end the current generation as reset (waiters exit 3) and reopen a broken barrier",
    .options = k_options,
    .build = build,
    .run = [](const GlobalOptions& global, const CommandOptions& options) {
      return reset(global, std::get<ResetOptions>(options));
    }};

} // namespace rbarrier::commands
