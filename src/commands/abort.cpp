// SPDX-License-Identifier: Apache-2.0
// rbarrier abort NAME: end the current generation as aborted and break the barrier.
#include <fmt/format.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "session.hpp"
#include "util/identity.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

namespace {

struct AbortOptions {
  std::string name;
  std::string reason;
};

constexpr OptionSpec k_options[] = {
    k_name_option,
    {"--reason", OptionSpec::Kind::value, "REASON", "shown to every waiting and later party"},
};

Result abort(const GlobalOptions& global, const AbortOptions& options) {
  Session session(global.server);
  const Barrier barrier(global.prefix, options.name, global.ttl);
  const Deadline deadline = Clock::now() + global.server.connect_timeout;
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

Prepared build(const Values& values, const GlobalOptions&) {
  return prepare(AbortOptions{barrier_name(values), values["reason"]}, abort);
}

} // namespace

extern const Subcommand k_abort{
    .name = "abort",
    .summary = "end the current generation as aborted (waiters exit 4) and break the barrier "
               "until reset",
    .options = k_options,
    .build = build};

} // namespace rbarrier::commands
