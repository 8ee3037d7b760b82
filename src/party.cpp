// SPDX-License-Identifier: Apache-2.0
// A party of a barrier: the frame of its deadline and signals, and what outcomes mean for it.
#include "party.hpp"

#include <fmt/format.h>

#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier {

std::optional<std::vector<RosterEntry>> read_roster(Session& session, const Barrier& barrier,
                                                    std::int64_t generation, std::string_view name,
                                                    Duration timeout) {
  std::optional<std::vector<RosterEntry>> roster;
  try {
    roster = session.run(
        [&](redis::Connection& connection, Deadline attempt) {
          return barrier.roster(connection, generation, attempt);
        },
        Clock::now() + timeout);
  } catch (const Error& error) {
    log::warning(
        fmt::format("could not read the members of barrier {}: {}", quote(name), error.what()));
    return std::nullopt;
  }
  if (!roster) {
    log::warning(fmt::format("the members of generation {} of barrier {} are no longer known",
                             generation, quote(name)));
    return std::nullopt;
  }
  return in_rank_order(std::move(*roster));
}

Party::Party(const GlobalOptions& global, const std::string& name, Deadline deadline, bool progress)
    : m_global(global), m_name(name), m_session(global.server),
      m_barrier(global.prefix, name, global.ttl), m_events(m_session, m_barrier.keys(), progress),
      m_deadline(deadline) {
  m_report.name = name;
}

std::string Party::name() const { return quote(m_name); }

Result Party::framed(const std::function<Result()>& body) {
  try {
    try {
      return body();
    } catch (const TimeoutError&) {
      if (Clock::now() < m_deadline) {
        throw; // the server stopped answering: unreachable, before the party's deadline
      }
      return on_timeout();
    }
  } catch (const Interrupted& interrupted) {
    m_signalled = true;
    return on_signal(interrupted.signo);
  }
}

void Party::adopt(const Standing& reply) {
  m_generation = reply.generation;
  m_parties = reply.parties;
  m_count = reply.count;
  m_token = reply.token;
  m_events.start_at(reply.from);
}

Result Party::ended_by(const Decision& decision) {
  m_report.reason = decision.reason;
  if (decision.outcome == Outcome::reset) {
    return {Ending::reset, fmt::format("barrier {} was reset while {} (generation {})", name(),
                                       doing(), m_generation)};
  }
  return {Ending::aborted, decision.reason.empty()
                               ? fmt::format("barrier {} was aborted while {} (generation {})",
                                             name(), doing(), m_generation)
                               : fmt::format("barrier {} was aborted while {}: {}", name(), doing(),
                                             decision.reason)};
}

Result Party::lost(const std::string& why, std::string_view doing) {
  m_report.reason = why;
  return {Ending::lost, fmt::format("state of barrier {} lost while {}: {}", name(), doing, why)};
}

} // namespace rbarrier
