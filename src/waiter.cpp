// SPDX-License-Identifier: Apache-2.0
// A waiting party: wait's, and run's once its command succeeded.
#include "waiter.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "actor.hpp"
#include "refusal.hpp"
#include "util/identity.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"

namespace rbarrier {

namespace {

// After the deadline or a signal, how long the party may still take to withdraw.
constexpr Duration k_max_grace = std::chrono::seconds(2);

// --timeout from now, less what a party of run waited to enter (its command's time is not
// counted).
Deadline waiting_deadline(const WaitOptions& options, const std::optional<Work>& from_work) {
  if (!options.timeout || !from_work) {
    return deadline_after(options.timeout);
  }
  return Clock::now() + std::max(Duration(0), *options.timeout - from_work->waited);
}

} // namespace

Waiter::Waiter(const GlobalOptions& global, const WaitOptions& options,
               std::optional<Work> from_work)
    : Watcher(global, options.name, options.command, waiting_deadline(options, from_work),
              "waiting at", options.json),
      m_options(options), m_nonce(random_hex(12)), m_from_work(std::move(from_work)) {
  m_id = options.id ? *options.id : default_member_id();
  if (options.shape.elastic()) {
    m_report.min = options.shape.min;
    m_report.max = options.shape.parties;
  }
}

std::optional<Result> Waiter::start() {
  const std::string new_token = random_hex(12);
  const Arrival arrival = m_events.until_room(
      [&] {
        return m_session.run(
            [&](redis::Connection& connection, Deadline attempt) {
              return m_barrier.arrive(connection, m_id, m_nonce, m_options.shape, m_options.lease,
                                      new_token, m_options.data, m_from_work, attempt);
            },
            m_deadline);
      },
      m_options.name, m_deadline);
  adopt(arrival);
  switch (arrival.status) {
  case Arrival::Status::released:
    m_parties = arrival.count; // how many it was released with
    m_session.wait_for_replicas(m_options.name);
    return released();
  case Arrival::Status::passed:
    log::verbose("barrier {} was passed already (--once): not waiting", name());
    return released(false, Ending::passed);
  case Arrival::Status::broken:
  case Arrival::Status::mismatch:
  case Arrival::Status::members:
    return refusal(arrival, m_options.name, m_options.shape, m_id, m_options.members.size(),
                   m_report);
  case Arrival::Status::stopped: // its work ended by its generation's outcome
    m_generation = m_from_work->generation;
    return on_decision(arrival.ended);
  case Arrival::Status::lost: // from work: the barrier it worked in is gone
    return lost(arrival.reason, "this party worked");
  case Arrival::Status::full: // until_room() tried again
    break;
  case Arrival::Status::act:
    m_arrived = true;
    return act(arrival.count);
  case Arrival::Status::waiting:
    m_arrived = true;
    log::verbose("arrived at barrier {}: {}/{} in generation {}", name(), arrival.count,
                 parties_text(m_options.shape.fewest(), arrival.parties), arrival.generation);
    if (arrival.late) {
      note_late(m_options.name, arrival);
    }
    show_progress();
    return std::nullopt;
  }
  return Result{Ending::error, to_int(ExitCode::internal), "unknown arrival status"};
}

std::optional<Result> Waiter::check() {
  return on_check(m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.poll(connection, m_id, m_generation, m_token, m_options.lease,
                              m_options.data, attempt);
      },
      m_deadline));
}

std::optional<Result> Waiter::on_check(const Check& result) {
  if (result.generation) {
    m_generation = *result.generation;
  }
  switch (result.status) {
  case Check::Status::decided:
    if (result.decision.outcome == Outcome::released && result.parties > 0) {
      m_parties = result.parties; // how many it was released with
    }
    return on_decision(result.decision);
  case Check::Status::lost:
    return lost(result.why, doing());
  case Check::Status::waiting:
    timed(result.timing);
    counted(result.count, result.parties);
    return std::nullopt;
  case Check::Status::act:
    return act(result.count);
  case Check::Status::left:
  case Check::Status::aborted:
    break;
  }
  return std::nullopt;
}

std::optional<Result> Waiter::act(std::int64_t count) {
  log::end_live();
  std::optional<Result> ended;
  bool released_now = false;
  {
    Actor actor(m_global, m_options, m_id, m_generation, m_token, count, m_events.position());
    ended = actor.act();
    released_now = actor.released();
    m_parties = actor.parties();
    m_report.reason = actor.reason();
  }
  if (ended || !released_now) {
    return ended;
  }
  m_session.wait_for_replicas(m_options.name);
  return released();
}

Deadline Waiter::grace() const {
  return Clock::now() + std::min(m_global.server.connect_timeout, k_max_grace);
}

Result Waiter::on_timeout() {
  // Break only a generation this party is known to be in; else just withdraw any arrival.
  const bool abort = m_options.on_timeout == OnTimeout::abort && m_arrived;
  const auto generation = m_arrived ? std::optional(m_generation) : std::nullopt;
  std::string withdrawal;
  bool kept = false;
  try {
    if (m_arrived && !m_options.members.empty()) {
      m_report.missing = missing();
      std::sort(m_report.missing->begin(), m_report.missing->end());
      m_report.left = left_of(*m_report.missing);
    }
    const Check result = m_session.run(
        [&](redis::Connection& connection, Deadline attempt) {
          if (abort) {
            return m_barrier.abort(connection,
                                   fmt::format("party {} timed out after {}", quote(m_id),
                                               format_duration(*m_options.timeout)),
                                   random_hex(12), m_generation, m_token, attempt);
          }
          return m_barrier.leave(connection, m_id, m_nonce, generation, m_token, m_options.lease,
                                 attempt);
        },
        grace());
    if (result.status == Check::Status::decided) { // before the timeout: nobody was missing
      m_report.missing.reset();
      m_report.left.reset();
    }
    if (auto decided = on_check(result)) {
      return *decided;
    }
    if (result.status == Check::Status::left && m_arrived) {
      // As it gave up: those left, and this party until then (counted still, if kept).
      m_count = result.count + (result.kept ? 0 : 1);
      kept = result.kept;
    }
    if (result.status == Check::Status::left && !m_arrived && result.parties > 0) {
      // Its arrival's reply never came: the report names the generation it did not join.
      m_generation = result.generation.value_or(m_generation);
      m_parties = result.parties;
      m_count = result.count;
    }
    if (abort) {
      m_session.wait_for_replicas(m_options.name);
    }
    withdrawal = abort ? "; aborted it" : kept ? "; its arrival still counts" : "";
  } catch (const TimeoutError& error) {
    withdrawal = fmt::format("; could not withdraw: {}", error.what());
  }
  const std::string timeout = format_duration(m_options.timeout.value_or(Duration(0)));
  if (m_parties == 0) { // no reply to the arrival came in time
    return {Ending::timeout, fmt::format("timed out after {} arriving at barrier {}{}", timeout,
                                         name(), withdrawal)};
  }
  return {Ending::timeout,
          fmt::format("timed out after {} waiting at barrier {} ({}/{} arrived{}){}", timeout,
                      name(), m_count, parties_text(m_options.shape.fewest(), m_parties), absent(),
                      withdrawal)};
}

std::string Waiter::absent() const {
  if (!m_report.missing || m_report.missing->empty()) {
    return "";
  }
  if (!m_report.left || m_report.left->empty()) {
    return "; missing " + list_ids(*m_report.missing);
  }
  // Who never came (a worker that never started) apart from who came and left.
  std::vector<std::string> never;
  std::set_difference(m_report.missing->begin(), m_report.missing->end(), m_report.left->begin(),
                      m_report.left->end(), std::back_inserter(never));
  return (never.empty() ? "" : "; never arrived: " + list_ids(never)) +
         "; left: " + list_ids(*m_report.left);
}

std::vector<std::string> Waiter::missing() {
  const auto snapshot =
      m_session
          .run([&](redis::Connection& connection,
                   Deadline attempt) { return m_barrier.status(connection, attempt); },
               grace())
          .snapshot;
  if (snapshot) {
    return missing_members(*snapshot);
  }
  auto all = m_options.members;
  std::sort(all.begin(), all.end());
  return all;
}

std::vector<std::string> Waiter::left_of(const std::vector<std::string>& missing) {
  auto departed = m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.departed(connection, m_generation, m_token, attempt);
      },
      grace());
  std::sort(departed.begin(), departed.end());
  std::vector<std::string> left;
  std::set_intersection(missing.begin(), missing.end(), departed.begin(), departed.end(),
                        std::back_inserter(left));
  left.erase(std::unique(left.begin(), left.end()), left.end());
  return left;
}

Result Waiter::on_signal(int signo) {
  m_session.stop_interrupting();
  const Result interrupted = stopped_by(signo, fmt::format("waiting at barrier {}", name()));
  try {
    const Check result = m_session.run(
        [&](redis::Connection& connection, Deadline attempt) {
          return m_barrier.leave(connection, m_id, m_nonce,
                                 m_arrived ? std::optional(m_generation) : std::nullopt, m_token,
                                 m_options.lease, attempt);
        },
        grace());
    if (auto decided = on_check(result)) {
      return decided->ending == Ending::lost ? interrupted : *decided;
    }
  } catch (const Error& error) {
    log::warning(fmt::format("could not withdraw from barrier {}: {}", name(), error.what()));
  }
  return interrupted;
}

} // namespace rbarrier
