// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <csignal>
#include <fmt/format.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "session.hpp"
#include "util/identity.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"
#include "watcher.hpp"

namespace rbarrier::commands {

namespace {

// After the deadline or a signal, how long the party may still take to withdraw.
constexpr Duration k_max_grace = std::chrono::seconds(2);

// One party waiting at a barrier: the waiter of PROTOCOL.md ("A waiting party").
class Waiter : public Watcher {
public:
  Waiter(const GlobalOptions& global, const WaitOptions& options)
      : Watcher(global, options.name, options.command, deadline_after(options.timeout),
                "waiting at", options.json),
        m_options(options), m_nonce(random_hex(12)) {
    m_id = options.id ? *options.id : default_member_id();
  }

private:
  // Arrives: the outcome of the arrival, or nullopt when the party must wait.
  std::optional<Result> start() override;
  Duration check_interval() const override {
    return std::min(m_options.lease / 3, k_max_check_interval);
  }
  // Polls (which renews the lease); nullopt while undecided.
  std::optional<Result> check() override;
  std::optional<Result> on_check(const Check& result);
  Result on_timeout() override;
  // The --members not present now, sorted (one command).
  std::vector<std::string> missing();
  Result on_signal(int signo) override;
  Deadline grace() const;

  const WaitOptions& m_options;
  std::string m_nonce;
  bool m_arrived = false; // the server counted this party
};

std::optional<Result> Waiter::start() {
  const std::string new_token = random_hex(12);
  const std::string expected = canonical_members(m_options.members);
  const Arrival arrival = m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.arrive(connection, m_id, m_nonce, m_options.parties, m_options.lease,
                                m_options.once, new_token, expected, m_options.data, attempt);
      },
      m_deadline);
  m_generation = arrival.generation;
  m_parties = arrival.parties;
  m_count = arrival.count;
  m_token = arrival.token;
  m_events.start_at(arrival.from);
  switch (arrival.status) {
  case Arrival::Status::released:
    m_session.wait_for_replicas(m_options.name);
    return released();
  case Arrival::Status::passed:
    log::verbose("barrier {} was passed already (--once): not waiting", name());
    m_report.outcome = "passed";
    return released(false);
  case Arrival::Status::broken:
  case Arrival::Status::mismatch:
  case Arrival::Status::members:
    return refusal(arrival, m_options.name, m_options.parties, m_options.once, m_id,
                   m_options.members.size(), m_report);
  case Arrival::Status::waiting:
    m_arrived = true;
    log::verbose("arrived at barrier {}: {}/{} in generation {}", name(), arrival.count,
                 arrival.parties, arrival.generation);
    show_progress();
    return std::nullopt;
  }
  return Result{to_int(ExitCode::internal), "unknown arrival status"};
}

std::optional<Result> Waiter::check() {
  return on_check(m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.poll(connection, m_id, m_generation, m_token, m_options.lease, attempt);
      },
      m_deadline));
}

std::optional<Result> Waiter::on_check(const Check& result) {
  if (result.generation) {
    m_generation = *result.generation;
  }
  switch (result.status) {
  case Check::Status::decided:
    return on_decision(result.decision);
  case Check::Status::lost:
    m_report.reason = result.why;
    return Result{to_int(ExitCode::state_lost),
                  fmt::format("state of barrier {} lost while waiting: {}", name(), result.why)};
  case Check::Status::waiting:
    counted(result.count, result.parties);
    return std::nullopt;
  case Check::Status::left:
  case Check::Status::aborted:
    break;
  }
  return std::nullopt;
}

Deadline Waiter::grace() const {
  return Clock::now() + std::min(m_global.connect_timeout, k_max_grace);
}

Result Waiter::on_timeout() {
  // Break only a generation this party is known to be in; else just withdraw any arrival.
  const bool abort = m_options.on_timeout == OnTimeout::abort && m_arrived;
  const auto generation = m_arrived ? std::optional(m_generation) : std::nullopt;
  std::string withdrawal;
  try {
    if (m_arrived && !m_options.members.empty()) {
      m_report.missing = missing();
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
    if (auto decided = on_check(result)) {
      return *decided;
    }
    if (abort) {
      m_session.wait_for_replicas(m_options.name);
    }
    withdrawal = abort ? "; aborted it" : "";
  } catch (const TimeoutError& error) {
    withdrawal = fmt::format("; could not withdraw: {}", error.what());
  }
  const std::string timeout = format_duration(m_options.timeout.value_or(Duration(0)));
  if (m_parties == 0) { // no reply to the arrival came in time
    return {to_int(ExitCode::timeout), fmt::format("timed out after {} arriving at barrier {}{}",
                                                   timeout, name(), withdrawal)};
  }
  return {to_int(ExitCode::timeout),
          fmt::format("timed out after {} waiting at barrier {} ({}/{} arrived{}){}", timeout,
                      name(), m_count, m_parties,
                      m_report.missing && !m_report.missing->empty()
                          ? "; missing " + list_ids(*m_report.missing)
                          : "",
                      withdrawal)};
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

Result Waiter::on_signal(int signo) {
  m_session.stop_interrupting();
  const char* what = signo == SIGINT ? "interrupted" : "terminated";
  const Result interrupted{signals::exit_status(signo),
                           fmt::format("{} while waiting at barrier {}", what, name())};
  try {
    const Check result = m_session.run(
        [&](redis::Connection& connection, Deadline attempt) {
          return m_barrier.leave(connection, m_id, m_nonce,
                                 m_arrived ? std::optional(m_generation) : std::nullopt, m_token,
                                 m_options.lease, attempt);
        },
        grace());
    if (auto decided = on_check(result)) {
      return decided->exit_code == to_int(ExitCode::state_lost) ? interrupted : *decided;
    }
  } catch (const Error& error) {
    log::warning(fmt::format("could not withdraw from barrier {}: {}", name(), error.what()));
  }
  return interrupted;
}

Result wait(const GlobalOptions& global, const WaitOptions& options) {
  signals::install();
  return Waiter(global, options).run();
}

using Kind = OptionSpec::Kind;

constexpr OptionSpec k_options[] = {
    k_name_option,
    k_parties_option,
    k_timeout_option,
    k_id_option,
    {"--lease", Kind::value, "DUR",
     "withdraw this party if it stops renewing for DUR (default 30s)"},
    {"--on-timeout", Kind::value, "leave|break",
     "leave: withdraw and exit 124 (default); break: abort the barrier for all"},
    k_once_option,
    k_members_option,
    k_data_option,
    k_json_option,
};

CommandOptions build(const Values& values, const GlobalOptions& global) {
  WaitOptions options;
  options.name = barrier_name(values);
  auto who = membership(values, Clock::now() + global.connect_timeout);
  options.parties = who.parties;
  options.members = std::move(who.members);
  options.id = std::move(who.id);
  options.data = std::move(who.data);
  options.json = values.given("json");
  options.timeout = timeout(values);
  if (values.given("lease")) {
    options.lease = parse_duration("--lease", values["lease"]);
    if (options.lease < std::chrono::milliseconds(100)) {
      throw UsageError(fmt::format("invalid value {} for --lease: must be at least 100ms",
                                   quote(values["lease"])));
    }
  }
  if (global.ttl < options.lease) {
    throw UsageError("--ttl must not be shorter than --lease");
  }
  if (const auto& on_timeout = values["on-timeout"]; values.given("on-timeout")) {
    if (on_timeout != "leave" && on_timeout != "break") {
      throw UsageError(fmt::format("invalid value {} for --on-timeout: expected leave or break",
                                   quote(on_timeout)));
    }
    options.on_timeout = on_timeout == "break" ? OnTimeout::abort : OnTimeout::leave;
  }
  options.once = values.given("once");
  options.command = values.all("--");
  return options;
}

} // namespace

const Subcommand k_wait{
    .name = "wait",
    .summary = "wait until N processes have arrived at NAME",
    .options = k_options,
    .footer = "After \"--\", CMD [ARGS...] is run once the barrier is released, and its exit "
              "status becomes rbarrier's.",
    .takes_command = true,
    .build = build,
    .run = [](const GlobalOptions& global, const CommandOptions& options) {
      return wait(global, std::get<WaitOptions>(options));
    }};

} // namespace rbarrier::commands
