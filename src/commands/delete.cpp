// SPDX-License-Identifier: Apache-2.0
// rbarrier delete NAME: remove every key of a barrier.
#include <fmt/format.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "session.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

namespace {

struct DeleteOptions {
  std::string name;
  bool force = false; // also while parties wait or work: they end with exit 5
};

// "3 parties waiting and 1 working", for messages.
std::string parties_there(const Removal& removal) {
  const auto count = [](std::int64_t n, std::string_view what) {
    return fmt::format("{} part{} {}", n, n == 1 ? "y" : "ies", what);
  };
  if (removal.waiting > 0 && removal.working > 0) {
    return count(removal.waiting, "waiting") + fmt::format(" and {} working", removal.working);
  }
  return removal.working > 0 ? count(removal.working, "working")
                             : count(removal.waiting, "waiting");
}

Result remove(const GlobalOptions& global, const DeleteOptions& options) {
  Session session(global.server);
  const Barrier barrier(global.prefix, options.name, global.ttl);
  const Removal removal = session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return barrier.remove(connection, options.force, attempt);
      },
      Clock::now() + global.server.connect_timeout);
  switch (removal.status) {
  case Removal::Status::none:
    log::warning(fmt::format("no barrier {}: nothing to delete", quote(options.name)));
    return {};
  case Removal::Status::busy:
    return {Ending::error, to_int(ExitCode::busy),
            fmt::format("barrier {} has {}: not deleted (--force deletes it, and they exit 5)",
                        quote(options.name), parties_there(removal))};
  case Removal::Status::deleted:
    if (removal.waiting > 0 || removal.working > 0) {
      log::warning(fmt::format("deleted barrier {}; its {} exit 5", quote(options.name),
                               parties_there(removal)));
    }
    return {};
  }
  return {};
}

constexpr OptionSpec k_options[] = {
    k_name_option,
    {"--force", OptionSpec::Kind::flag, "",
     "delete it while parties wait or work: they end at once with exit 5"},
};

Prepared build(const Values& values, const GlobalOptions&) {
  return prepare(DeleteOptions{barrier_name(values), values.given("force")}, remove);
}

} // namespace

extern const Subcommand k_delete{
    .name = "delete",
    .summary = "remove every key of NAME (exit 7 while parties wait or work, unless --force)",
    .options = k_options,
    .build = build};

} // namespace rbarrier::commands
