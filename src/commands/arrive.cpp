// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "session.hpp"
#include "util/identity.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

Result refusal(const Arrival& arrival, const std::string& name, std::int64_t parties, bool once) {
  if (arrival.status == Arrival::Status::broken) {
    return {to_int(ExitCode::aborted),
            arrival.detail.empty()
                ? fmt::format("barrier {} is broken; reset it to use it again", quote(name))
                : fmt::format("barrier {} is broken: {}; reset it to use it again", quote(name),
                              arrival.detail)};
  }
  const bool barrier_once = arrival.detail == "1";
  if (barrier_once != once) {
    return {to_int(ExitCode::mismatch),
            fmt::format("barrier {} was created {} --once, this party {} it", quote(name),
                        barrier_once ? "with" : "without", once ? "gave" : "lacks")};
  }
  return {to_int(ExitCode::mismatch),
          fmt::format("barrier {} has --parties {}, this party asked for {}", quote(name),
                      arrival.parties, parties)};
}

namespace {

constexpr OptionSpec k_options[] = {k_name_option, k_parties_option, k_id_option, k_once_option};

CommandOptions build(const Values& values, const GlobalOptions&) {
  return ArriveOptions{barrier_name(values), parse_positive("--parties", values["parties"]),
                       member_id(values), values.given("once")};
}

// Counts the party without a lease: it stays counted until its generation ends.
Result arrive(const GlobalOptions& global, const ArriveOptions& options) {
  Session session(global);
  const Barrier barrier(global.prefix, options.name, global.ttl);
  const std::string id = options.id ? *options.id : default_member_id();
  const std::string nonce = random_hex(12);
  const std::string new_token = random_hex(12);
  const Deadline deadline = Clock::now() + global.connect_timeout;
  const Arrival arrival = session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return barrier.arrive(connection, id, nonce, options.parties, k_no_lease, options.once,
                              new_token, attempt);
      },
      deadline);
  switch (arrival.status) {
  case Arrival::Status::released:
    session.wait_for_replicas(options.name);
    log::verbose("arrived at barrier {} and released it (generation {})", quote(options.name),
                 arrival.generation);
    return {};
  case Arrival::Status::passed:
    log::verbose("barrier {} was passed already (--once)", quote(options.name));
    return {};
  case Arrival::Status::waiting:
    log::verbose("arrived at barrier {}: {}/{} in generation {}", quote(options.name),
                 arrival.count, arrival.parties, arrival.generation);
    return {};
  case Arrival::Status::broken:
  case Arrival::Status::mismatch:
    break;
  }
  return refusal(arrival, options.name, options.parties, options.once);
}

} // namespace

const Subcommand k_arrive{
    .name = "arrive",
    .summary = "count this process at NAME without waiting (it counts until the generation ends)",
    .options = k_options,
    .build = build,
    .run = [](const GlobalOptions& global, const CommandOptions& options) {
      return arrive(global, std::get<ArriveOptions>(options));
    }};

} // namespace rbarrier::commands
