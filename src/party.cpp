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
  return roster;
}

void note_late(std::string_view name, const Arrival& arrival) {
  log::warning(fmt::format("barrier {}: generation {} was released at the end of its last call, "
                           "before this party arrived; this party counts in generation {}",
                           quote(name), arrival.generation - 1, arrival.generation));
}

Party::Party(const GlobalOptions& global, const std::string& name, Deadline deadline, bool progress,
             Session* shared)
    : m_global(global), m_name(name),
      m_own_session(shared ? nullptr : std::make_unique<Session>(global.server)),
      m_session(shared ? *shared : *m_own_session), m_barrier(global.prefix, name, global.ttl),
      m_events(m_session, m_barrier.keys(), progress), m_deadline(deadline) {
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
  timed(reply.timing);
}

namespace {
// The least time to the next check of a due last call or deadline: a reply that says it is due
// now (a clock that went back) does not make a party check without a pause.
constexpr Duration k_least_wait = std::chrono::milliseconds(10);
} // namespace

void Party::timed(const Timing& timing) {
  m_timing = timing;
  m_wake = k_never;
  for (const auto& in : {timing.closes_in, timing.deadline_in}) {
    if (in) {
      m_wake = std::min(m_wake, Clock::now() + std::max(*in, k_least_wait));
    }
  }
  if (timing.deadline) {
    m_report.deadline = timing.deadline;
  }
}

void Party::called(Duration closes_in) {
  m_timing.closes_in = closes_in;
  m_wake = std::min(m_wake, Clock::now() + std::max(closes_in, k_least_wait));
}

Result Party::ended_by(const Decision& decision) {
  if (decision.outcome == Outcome::expired) {
    return expired(decision.reason);
  }
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

Result Party::expired(const std::string& reason) {
  const Expiry expiry = parse_expiry(reason);
  m_report.reason =
      fmt::format("the deadline passed with {} of {} parties", expiry.entered, expiry.needed);
  if (!expiry.never.empty()) {
    m_report.missing = expiry.never;
  }
  const std::string deadline = m_timing.deadline ? fmt::format(" ({}, fixed by its first arrival)",
                                                               format_duration(*m_timing.deadline))
                                                 : "";
  return {Ending::expired,
          fmt::format("barrier {} expired while {} (generation {}): its deadline{} passed with {} "
                      "of {} parties{}",
                      name(), doing(), m_generation, deadline, expiry.entered, expiry.needed,
                      expiry.never.empty() ? "" : "; never arrived: " + list_ids(expiry.never))};
}

Result Party::lost(const std::string& why, std::string_view doing) {
  m_report.reason = why;
  return {Ending::lost, fmt::format("state of barrier {} lost while {}: {}", name(), doing, why)};
}

} // namespace rbarrier
