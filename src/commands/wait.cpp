// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <unistd.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "events.hpp"
#include "session.hpp"
#include "util/identity.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

namespace {

constexpr Duration k_max_poll_interval = std::chrono::seconds(5);
// After the deadline or a signal, how long the party may still take to withdraw.
constexpr Duration k_max_grace = std::chrono::seconds(2);

// One party waiting at a barrier: the waiter of PROTOCOL.md ("A waiting party").
class Waiter {
public:
  Waiter(const GlobalOptions& global, const WaitOptions& options)
      : m_global(global), m_options(options), m_session(global),
        m_barrier(global.prefix, options.name, global.ttl),
        m_id(options.id ? *options.id : default_member_id()), m_nonce(random_hex(12)),
        m_deadline(deadline_after(options.timeout)), m_started(Clock::now()),
        m_live(log::live_enabled()),
        // Arrivals and departures only for someone who shows them: at N parties they are N events.
        m_events(m_session, m_barrier.keys(), m_live || log::level() == log::Level::verbose) {}

  Result run();

private:
  // The outcome of the arrival, or nullopt when the party must wait.
  std::optional<Result> arrive();
  Result wait_for_outcome();
  // Polls (which renews the lease); nullopt while undecided.
  std::optional<Result> check();
  // An event of this party's generation and instance: the outcome, or nullopt while undecided.
  std::optional<Result> on_event(const Event& event);
  std::optional<Result> on_check(const Check& result);
  Result on_decision(const Decision& decision);
  Result released();
  Result on_timeout();
  Result on_signal(int signo);
  Deadline grace() const;
  // How many have arrived, from a poll or an event: shown when it changed.
  void counted(std::int64_t count, std::int64_t parties);
  // Draws the live line on a terminal: barrier, arrived/parties, time waited.
  void show_progress() const;
  // When the live line's time next changes, or never when there is none.
  Deadline next_tick() const;
  std::string name() const { return quote(m_options.name); }

  const GlobalOptions& m_global;
  const WaitOptions& m_options;
  Session m_session;
  Barrier m_barrier;
  std::string m_id;
  std::string m_nonce;
  Deadline m_deadline;
  Deadline m_started;
  bool m_live; // the live line is shown
  std::int64_t m_generation = 0;
  std::int64_t m_parties = 0;
  std::int64_t m_count = 0;
  std::string m_token;
  bool m_arrived = false; // the server counted this party
  bool m_stopping = false; // a signal came: report a release, run no command
  EventStream m_events;
};

Result Waiter::run() {
  try {
    try {
      if (auto result = arrive()) {
        return *result;
      }
      return wait_for_outcome();
    } catch (const TimeoutError&) {
      // The server stopped answering and the deadline came: still a timeout, not unreachable.
      if (Clock::now() < m_deadline) {
        throw;
      }
      return on_timeout();
    }
  } catch (const Interrupted& interrupted) {
    return on_signal(interrupted.signo);
  }
}

std::optional<Result> Waiter::arrive() {
  const std::string new_token = random_hex(12);
  const Arrival arrival = m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.arrive(connection, m_id, m_nonce, m_options.parties, m_options.lease,
                                m_options.once, new_token, attempt);
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
    return released();
  case Arrival::Status::broken:
    return Result{to_int(ExitCode::aborted),
                  arrival.detail.empty()
                      ? fmt::format("barrier {} is broken; reset it to use it again", name())
                      : fmt::format("barrier {} is broken: {}; reset it to use it again", name(),
                                    arrival.detail)};
  case Arrival::Status::mismatch: {
    const bool barrier_once = arrival.detail == "1";
    if (barrier_once != m_options.once) {
      return Result{to_int(ExitCode::mismatch),
                    fmt::format("barrier {} was created {} --once, this party {} it", name(),
                                barrier_once ? "with" : "without",
                                m_options.once ? "gave" : "lacks")};
    }
    return Result{to_int(ExitCode::mismatch),
                  fmt::format("barrier {} has --parties {}, this party asked for {}", name(),
                              arrival.parties, m_options.parties)};
  }
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

Result Waiter::on_decision(const Decision& decision) {
  switch (decision.outcome) {
  case Outcome::released:
    return released();
  case Outcome::reset:
    return {
        to_int(ExitCode::reset),
        fmt::format("barrier {} was reset while waiting (generation {})", name(), m_generation)};
  case Outcome::aborted:
    return {to_int(ExitCode::aborted),
            decision.reason.empty()
                ? fmt::format("barrier {} was aborted", name())
                : fmt::format("barrier {} was aborted: {}", name(), decision.reason)};
  }
  return {to_int(ExitCode::internal), "unknown outcome"};
}

Result Waiter::wait_for_outcome() {
  const Duration interval = std::min(m_options.lease / 3, k_max_poll_interval);
  Deadline next_poll = Clock::now() + interval;
  bool renewed = false;
  for (;;) {
    if (Clock::now() >= m_deadline) {
      return on_timeout();
    }
    const auto batch = m_events.next(std::min({next_poll, m_deadline, next_tick()}), m_deadline);
    // Time to renew the lease, a reconnection (after which only the stored state is sure), or an
    // event not ours (of another generation or instance, which only a poll can tell about).
    bool poll = batch.reconnected || Clock::now() >= next_poll;
    for (const auto& event : batch.events) {
      if (event.token != m_token || event.generation != m_generation) {
        poll = true;
      } else if (auto result = on_event(event)) {
        return *result;
      }
    }
    if (Clock::now() >= m_deadline) {
      return on_timeout();
    }
    if (!poll) {
      show_progress(); // a second more on the live line
      continue;
    }
    if (auto result = check()) {
      return *result;
    }
    next_poll = Clock::now() + interval;
    if (!renewed) {
      // Waiting longer than a moment: learn where else to look should the master of the
      // barrier's slot crash.
      renewed = true;
      m_session.learn_cluster(m_deadline);
    }
  }
}

std::optional<Result> Waiter::on_event(const Event& event) {
  switch (event.kind) {
  case Event::Kind::arrived:
  case Event::Kind::left:
    counted(event.count, event.parties);
    return std::nullopt;
  case Event::Kind::released:
    return released();
  case Event::Kind::reset:
    return on_decision({Outcome::reset, {}});
  case Event::Kind::aborted:
    return on_decision({Outcome::aborted, event.reason});
  }
  return std::nullopt;
}

void Waiter::counted(std::int64_t count, std::int64_t parties) {
  if (count != m_count) {
    log::verbose("barrier {}: {}/{} arrived", name(), count, parties);
  }
  m_count = count;
  m_parties = parties;
  show_progress();
}

void Waiter::show_progress() const {
  if (!m_live) {
    return;
  }
  const auto waited = std::chrono::floor<std::chrono::seconds>(Clock::now() - m_started);
  log::live(fmt::format("waiting at barrier {}: {}/{} arrived, {}", name(), m_count, m_parties,
                        waited.count() == 0 ? "0s" : format_duration(waited)));
}

Deadline Waiter::next_tick() const {
  if (!m_live) {
    return k_never;
  }
  using std::chrono::seconds;
  return m_started + std::chrono::floor<seconds>(Clock::now() - m_started) + seconds(1);
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
          fmt::format("timed out after {} waiting at barrier {} ({}/{} arrived){}", timeout, name(),
                      m_count, m_parties, withdrawal)};
}

Result Waiter::on_signal(int signo) {
  m_stopping = true;
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

Result Waiter::released() {
  log::verbose("barrier {} released (generation {})", name(), m_generation);
  if (m_options.command.empty() || m_stopping) {
    return {to_int(ExitCode::ok), {}};
  }
  ::setenv("RBARRIER_NAME", m_options.name.c_str(), 1);
  ::setenv("RBARRIER_GENERATION", std::to_string(m_generation).c_str(), 1);
  ::setenv("RBARRIER_PARTIES", std::to_string(m_parties).c_str(), 1);
  ::setenv("RBARRIER_ID", m_id.c_str(), 1);
  std::vector<char*> argv;
  for (const auto& arg : m_options.command) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  log::end_live();
  ::execvp(argv[0], argv.data());
  const int error = errno;
  return {error == ENOENT ? 127 : 126,
          fmt::format("cannot run {} after barrier {} released: {}", quote(m_options.command[0]),
                      name(), std::strerror(error))};
}

Result wait(const GlobalOptions& global, const WaitOptions& options) {
  signals::install();
  Result result = Waiter(global, options).run();
  log::end_live();
  return result;
}

using Kind = OptionSpec::Kind;

constexpr OptionSpec k_options[] = {
    {"NAME", Kind::positional, "", "the barrier's name"},
    {"-n,--parties", Kind::required, "N", "how many parties meet (the first arrival fixes it)"},
    {"-t,--timeout", Kind::value, "DUR", "give up after DUR (0, the default: wait for ever)"},
    {"--id", Kind::value, "ID",
     "this party's member id; arriving twice with one id counts once (default host:pid:random)"},
    {"--lease", Kind::value, "DUR",
     "withdraw this party if it stops renewing for DUR (default 30s)"},
    {"--on-timeout", Kind::value, "leave|break",
     "leave: withdraw and exit 124 (default); break: abort the barrier for all"},
    {"--once", Kind::flag, "", "latch: after the first release later arrivals pass at once"},
};

CommandOptions build(const Values& values, const GlobalOptions& global) {
  WaitOptions options;
  options.name = barrier_name(values);
  options.parties = parse_positive("--parties", values["parties"]);
  if (values.given("timeout") && values["timeout"] != "0") { // "0ms": a deadline already passed
    options.timeout = parse_duration("--timeout", values["timeout"]);
  }
  if (values.given("id")) {
    if (values["id"].empty()) {
      throw UsageError("invalid value \"\" for --id: must not be empty");
    }
    options.id = values["id"];
  }
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
