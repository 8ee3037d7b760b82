// SPDX-License-Identifier: Apache-2.0
// rbarrier arrive NAME: count this party without waiting.
#include <fmt/format.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "events.hpp"
#include "output.hpp"
#include "party.hpp"
#include "report.hpp"
#include "session.hpp"
#include "util/identity.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

namespace {

struct ArriveOptions {
  std::string name;
  Shape shape;
  std::vector<std::string> members;
  std::string data;
  bool json = false;
  std::optional<std::string> id;
};

constexpr OptionSpec k_options[] = {
    k_name_option, k_parties_option, k_last_call_option, k_deadline_option, k_rank_by_option,
    k_id_option,   k_once_option,    k_members_option,   k_data_option,     k_json_option};

// Counts the party without a lease: it stays counted until its generation ends.
Result arrive(const GlobalOptions& global, const ArriveOptions& options) {
  Session session(global.server);
  const Barrier barrier(global.prefix, options.name, global.ttl);
  const std::string id = options.id ? *options.id : default_member_id();
  const std::string nonce = random_hex(12);
  const std::string new_token = random_hex(12);
  // A full generation (its last places taken by parties still working) is waited out: the
  // arrival counts in the next one.
  EventStream events(session, barrier.keys(), false);
  const Arrival arrival = events.until_room(
      [&] {
        return session.run(
            [&](redis::Connection& connection, Deadline attempt) {
              return barrier.arrive(connection, id, nonce, options.shape, k_no_lease, new_token,
                                    options.data, std::nullopt, attempt);
            },
            Clock::now() + global.server.connect_timeout);
      },
      options.name, k_never);
  Report report{.name = options.name,
                .generation = arrival.generation,
                .parties = arrival.parties,
                .deadline = arrival.timing.deadline,
                .id = id};
  if (options.shape.elastic()) {
    report.min = options.shape.min;
    report.max = options.shape.parties;
  }
  Result result;
  switch (arrival.status) {
  case Arrival::Status::released:
    session.wait_for_replicas(options.name);
    log::verbose("arrived at barrier {} and released it (generation {})", quote(options.name),
                 arrival.generation);
    result = {Ending::released, {}};
    report.parties = arrival.count; // how many it was released with
    if (options.json) {
      report.members = read_roster(session, barrier, arrival.generation, options.name,
                                   global.server.connect_timeout);
    }
    break;
  case Arrival::Status::passed:
    log::verbose("barrier {} was passed already (--once)", quote(options.name));
    result = {Ending::passed, {}};
    break;
  case Arrival::Status::waiting:
    log::verbose("arrived at barrier {}: {}/{} in generation {}", quote(options.name),
                 arrival.count, parties_text(options.shape.fewest(), arrival.parties),
                 arrival.generation);
    if (arrival.late) {
      note_late(options.name, arrival);
    }
    result = {Ending::arrived, {}};
    break;
  case Arrival::Status::broken:
  case Arrival::Status::mismatch:
  case Arrival::Status::members:
    result = refusal(arrival, options.name, options.shape, id, options.members.size(), report);
    break;
  case Arrival::Status::stopped: // only for a working party's (run)
  case Arrival::Status::lost:
  case Arrival::Status::full: // until_room() tried again
  case Arrival::Status::act: // an arrival without a lease never runs a barrier action
    result = {Ending::error, to_int(ExitCode::internal), "unexpected arrival status"};
    break;
  }
  if (options.json) {
    report.outcome = result.ending;
    print(report);
  }
  return result;
}

Prepared build(const Values& values, const GlobalOptions& global) {
  auto who = membership(values, Clock::now() + global.server.connect_timeout);
  who.shape.once = values.given("once");
  return prepare(ArriveOptions{.name = barrier_name(values),
                               .shape = who.shape,
                               .members = std::move(who.members),
                               .data = std::move(who.data),
                               .json = values.given("json"),
                               .id = std::move(who.id)},
                 arrive);
}

} // namespace

extern const Subcommand k_arrive{
    .name = "arrive",
    .summary = "count this process at NAME without waiting (it counts until the generation ends)",
    .options = k_options,
    .build = build};

} // namespace rbarrier::commands
