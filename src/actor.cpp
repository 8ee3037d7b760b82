// SPDX-License-Identifier: Apache-2.0
// The party that runs its generation's barrier action (--action) before the release.
#include "actor.hpp"

#include <fmt/format.h>

#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier {

Actor::Actor(const GlobalOptions& global, const WaitOptions& options, const std::string& id,
             std::int64_t generation, const std::string& token, std::int64_t parties,
             StreamPositions from)
    : Worker(global, options.name, k_never, options.lease, std::chrono::seconds(10), false),
      m_options(options) {
  m_id = id;
  m_generation = generation;
  m_token = token;
  m_parties = parties;
  m_events.start_at(std::move(from));
}

std::optional<Result> Actor::act() {
  log::verbose("generation {} of barrier {} is complete: running its action {}", m_generation,
               name(), quote(m_options.action));
  const auto roster =
      read_roster(m_session, m_barrier, m_generation, m_name, m_global.server.connect_timeout);
  std::optional<std::vector<std::string>> ids;
  if (roster) {
    ids.emplace();
    for (const auto& member : *roster) {
      ids->push_back(member.id);
    }
  }
  export_party(m_name, m_generation, m_parties, m_id, ids);
  if (auto failure = run_command({"/bin/sh", "-c", m_options.action})) {
    return failure;
  }
  m_session.stop_interrupting(); // a bounded report, which a signal must not cut short
  const Check done = m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.quit(connection, m_id, m_token, "", m_generation, attempt);
      },
      Clock::now() + m_global.server.connect_timeout);
  switch (done.status) {
  case Check::Status::decided:
    if (done.decision.outcome == Outcome::released) {
      m_parties = done.parties > 0 ? done.parties : m_parties;
      m_released = true;
      return std::nullopt;
    }
    return ended_by(done.decision);
  case Check::Status::lost:
    return lost(done.why, doing());
  case Check::Status::left: // not released yet (another still works): its outcome will come
    return std::nullopt;
  default:
    break;
  }
  return Result{Ending::error, to_int(ExitCode::internal),
                "unexpected reply to the end of a barrier action"};
}

std::optional<Result> Actor::renew(Deadline deadline) {
  const Entry renewal = renew_entry(m_options.shape, m_options.lease, deadline);
  if (auto ended = no_longer_working(renewal)) {
    return ended;
  }
  timed(renewal.timing);
  return std::nullopt;
}

Result Actor::failed(int /*exit_code*/, const std::string& failure) {
  m_session.stop_interrupting(); // a bounded abort, which a signal must not cut short
  m_report.reason = fmt::format("{}: action {} {}", m_id, quote(m_options.action), failure);
  std::string then = fmt::format("aborted barrier {}", name());
  try {
    const Check quit = m_session.run(
        [&](redis::Connection& connection, Deadline attempt) {
          return m_barrier.quit(connection, m_id, m_token, m_report.reason, m_generation, attempt);
        },
        Clock::now() + m_global.server.connect_timeout);
    if (quit.status == Check::Status::aborted) {
      m_session.wait_for_replicas(m_options.name);
    } else if (quit.status == Check::Status::decided) {
      return ended_by(quit.decision);
    } else if (quit.status == Check::Status::lost) {
      return lost(quit.why, doing());
    }
  } catch (const Error& error) {
    then =
        fmt::format("could not abort barrier {} (its lease will lapse): {}", name(), error.what());
  }
  return {Ending::aborted, fmt::format("{}; {}", m_report.reason, then)};
}

Result Actor::on_timeout() {
  return {Ending::error, to_int(ExitCode::internal), "unexpected timeout of a barrier action"};
}

Result Actor::on_signal(int signo) { return stopped_by(signo, doing()); }

} // namespace rbarrier
