// SPDX-License-Identifier: Apache-2.0
// rbarrier once NAME -- CMD: run a command once among many callers; the others wait for it.
#include <chrono>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include "commands/commands.hpp"
#include "output.hpp"
#include "util/identity.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"
#include "worker.hpp"

namespace rbarrier::commands {

namespace {

struct OnceOptions {
  std::string name;
  Duration lease = std::chrono::seconds(30);
  std::optional<Duration> timeout; // waiting for another's run; none: for ever
  bool json = false;
  std::vector<std::string> command; // after "--"
};

// A caller of once: it claims the command (once.lua); the first, or one that finds the runner's
// lease lapsed, runs it as a Worker does; the others wait for its outcome, reading the outcome
// stream and claiming again now and then and when the runner's lease would lapse.
class Caller : public Worker {
public:
  Caller(const GlobalOptions& global, const OnceOptions& options);
  Result run();

private:
  // Claims: the runner's, or nullopt when another runs it (then read on and claim again).
  std::optional<Result> claim();
  // Runs the command (this caller's turn), then says how it ended.
  Result take_turn();
  // Waits for the outcome of the attempt that another runs, or the time to claim again.
  void wait_turn();
  // The command was done: by this caller or another.
  Result done(const Turn& turn, bool ran);
  // The attempt waited for ended otherwise: its runner's failure, a reset, an abort.
  Result undone(const Decision& decision);
  std::optional<Result> renew(Deadline deadline) override;
  Result failed(int exit_code, const std::string& failure) override;
  Result on_timeout() override;
  Result on_signal(int signo) override;
  std::string_view doing() const override { return working() ? "running it" : "waiting"; }
  // The once-barrier's name for messages: `once "NAME"`.
  std::string what() const { return "once " + name(); }
  Turn call(TurnOp op, const std::string& failure, Deadline deadline);

  const OnceOptions& m_options;
  std::string m_runner; // who runs it while this caller waits
  Deadline m_lapse = k_never; // when the runner's lease lapses unless renewed: claim then
  std::optional<Turn> m_claimed;
};

Caller::Caller(const GlobalOptions& global, const OnceOptions& options)
    : Worker(global, options.name, deadline_after(options.timeout), options.lease,
             std::chrono::seconds(10), false),
      m_options(options) {
  m_id = default_member_id();
  m_report.id = m_id;
  m_report.ran = false;
}

Turn Caller::call(TurnOp op, const std::string& failure, Deadline deadline) {
  const bool first = m_token.empty();
  const std::string new_token = first ? random_hex(12) : "";
  return m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.once(connection, op, m_id, m_token, new_token,
                              first ? std::nullopt : std::optional(m_generation), m_options.lease,
                              failure, attempt);
      },
      deadline);
}

Result Caller::run() {
  Result result = framed([&] {
    for (;;) {
      if (auto decided = claim()) {
        return *decided;
      }
      if (m_claimed) {
        return Result{};
      }
      wait_turn();
    }
  });
  if (m_claimed) { // this caller's turn: the timeout no longer counts
    result = take_turn();
  }
  if (m_options.json) {
    m_report.outcome = result.ending;
    m_report.generation = m_generation;
    print(m_report);
  }
  return result;
}

std::optional<Result> Caller::claim() {
  const Turn turn = call(TurnOp::claim, "", m_deadline);
  if (turn.status != Turn::Status::lost && turn.status != Turn::Status::mismatch) {
    m_generation = turn.generation;
    m_token = turn.token;
  }
  switch (turn.status) {
  case Turn::Status::run:
    if (!turn.who.empty()) {
      log::warning(fmt::format("{}: {} vanished while running it (its lease lapsed): running it "
                               "again",
                               what(), quote(turn.who)));
    } else if (!turn.detail.empty()) {
      log::verbose("{} failed before ({}): running it again", what(), turn.detail);
    }
    m_claimed = turn;
    return std::nullopt;
  case Turn::Status::running:
    if (turn.who != m_runner) {
      log::verbose("{} is run by {} (for {}): waiting", what(), quote(turn.who),
                   format_duration(turn.ago.value_or(Duration(0))));
      m_runner = turn.who;
    }
    m_events.start_at({turn.events_from, "0-0"});
    m_lapse = Clock::now() + turn.lease_left.value_or(Duration(0));
    return std::nullopt;
  case Turn::Status::done:
    return done(turn, false);
  case Turn::Status::decided:
    return turn.decision->outcome == Outcome::released ? done(turn, false) : undone(*turn.decision);
  case Turn::Status::broken:
    m_report.reason = turn.detail;
    return Result{Ending::broken, fmt::format("barrier {} is broken: {}; reset it to use it again",
                                              name(), turn.detail)};
  case Turn::Status::mismatch:
    m_report.reason = "a barrier of parties has this name";
    return Result{Ending::mismatch,
                  fmt::format("{} is a barrier of parties (wait, arrive, run), not a command run "
                              "once: use another name",
                              name())};
  case Turn::Status::lost:
    return lost(turn.detail, doing());
  case Turn::Status::renewed: // only for the runner
  case Turn::Status::stopped:
  case Turn::Status::finished:
    break;
  }
  return Result{Ending::error, to_int(ExitCode::internal), "unexpected reply to a claim"};
}

void Caller::wait_turn() {
  const Deadline check_at = std::min(Clock::now() + m_interval, m_lapse);
  while (Clock::now() < check_at) {
    if (Clock::now() >= m_deadline) {
      throw TimeoutError("the deadline passed"); // as the session would
    }
    const auto batch = m_events.next(std::min(check_at, m_deadline), m_deadline);
    if (batch.reconnected) {
      return;
    }
    for (const auto& event : batch.events) {
      if (event.is_outcome() || event.kind == Event::Kind::deleted) {
        return; // of this attempt, or of another instance: the claim tells
      }
    }
  }
}

Result Caller::take_turn() {
  m_deadline = k_never; // its command's time is not bounded
  export_party(m_options.name, m_generation, 1, m_id, std::nullopt);
  log::verbose("running {} for {} (attempt {})", quote(m_options.command[0]), what(), m_generation);
  m_events.start_at({m_claimed->events_from, "0-0"});
  if (auto failure = run_command(m_options.command)) {
    return *failure;
  }
  m_session.stop_interrupting();
  const Turn finish = call(TurnOp::finish, "", Clock::now() + m_global.server.connect_timeout);
  if (finish.status == Turn::Status::finished) {
    m_session.wait_for_replicas(m_options.name);
    m_report.ran = true;
    Turn mine;
    mine.who = m_id;
    mine.ago = Duration(0);
    return done(mine, true);
  }
  // Its command succeeded, but the attempt was no longer its own.
  const std::string why =
      finish.decision
          ? fmt::format("barrier {} was {} meanwhile", name(),
                        finish.decision->outcome == Outcome::reset ? "reset" : "aborted")
          : "its lease lapsed and another caller took over";
  log::warning(fmt::format("{} succeeded, but is not recorded as done: {}",
                           quote(m_options.command[0]), why));
  m_report.ran = true;
  return Result{Ending::done, {}};
}

Result Caller::done(const Turn& turn, bool ran) {
  m_report.by = turn.who;
  const auto ago = turn.ago.value_or(Duration(0));
  m_report.done_at = std::chrono::system_clock::now() - ago;
  if (!ran) {
    log::verbose("{} was done by {} {} ago", what(), quote(turn.who), format_duration(ago));
  }
  return Result{Ending::done, {}};
}

Result Caller::undone(const Decision& decision) {
  if (decision.outcome == Outcome::aborted && !m_runner.empty() &&
      decision.reason.rfind(m_runner + ": ", 0) == 0) {
    m_report.reason = decision.reason;
    return Result{Ending::aborted,
                  fmt::format("{} failed: {} (it was not done; a later caller runs it again)",
                              what(), decision.reason)};
  }
  return ended_by(decision);
}

std::optional<Result> Caller::renew(Deadline deadline) {
  const Turn renewal = call(TurnOp::renew, "", deadline);
  switch (renewal.status) {
  case Turn::Status::renewed:
    return std::nullopt;
  case Turn::Status::stopped:
    if (renewal.decision) {
      return ended_by(*renewal.decision);
    }
    m_report.reason = "its lease lapsed and another caller took over";
    return Result{
        Ending::broken,
        fmt::format("lost its turn at {}: its lease lapsed and another caller took over", what())};
  case Turn::Status::lost:
    return lost(renewal.detail, doing());
  default:
    break;
  }
  return Result{Ending::error, to_int(ExitCode::internal), "unexpected reply to a renewal"};
}

Result Caller::failed(int exit_code, const std::string& failure) {
  m_session.stop_interrupting(); // a bounded report, which a signal must not cut short
  m_report.ran = true;
  m_report.reason = fmt::format("{}: {}", m_id, failure);
  std::string then = "not done: a later caller runs it again";
  try {
    const Turn finish =
        call(TurnOp::finish, m_report.reason, Clock::now() + m_global.server.connect_timeout);
    if (finish.status == Turn::Status::finished) {
      m_session.wait_for_replicas(m_options.name);
    } else if (finish.decision) {
      then = fmt::format("barrier {} was {} meanwhile", name(),
                         finish.decision->outcome == Outcome::reset ? "reset" : "aborted");
    } else if (finish.status == Turn::Status::lost) {
      then = fmt::format("state of barrier {} lost: {}", name(), finish.detail);
    } else {
      then = "its lease had lapsed and another caller runs it";
    }
  } catch (const Error& error) {
    then = fmt::format("could not say so (its lease will lapse, and another caller run it): {}",
                       error.what());
  }
  return {Ending::failed, exit_code, fmt::format("{}: {}; {}", what(), m_report.reason, then)};
}

Result Caller::on_timeout() {
  return {Ending::timeout,
          fmt::format("timed out after {} waiting for {} to run {}",
                      format_duration(*m_options.timeout), quote(m_runner), what())};
}

Result Caller::on_signal(int signo) {
  return stopped_by(signo, fmt::format("waiting for {} to run {}", quote(m_runner), what()));
}

Result run_once(const GlobalOptions& global, const OnceOptions& options) {
  return Caller(global, options).run();
}

using Kind = OptionSpec::Kind;

constexpr OptionSpec k_options[] = {
    k_name_option,
    {"--lease", Kind::value, "DUR",
     "if the runner stops renewing for DUR, a waiting caller takes over and runs CMD (default "
     "30s)"},
    {"-t,--timeout", Kind::value, "DUR",
     "give up waiting for another caller's run after DUR; a run is never cut short (0, the "
     "default: wait for ever)"},
    {"--json", Kind::flag, "",
     "print the outcome as one JSON object on stdout: who ran CMD, when, and whether this caller "
     "did"},
};

Prepared build(const Values& values, const GlobalOptions& global) {
  OnceOptions options;
  options.name = barrier_name(values);
  options.lease = lease(values, global);
  options.timeout = timeout(values);
  options.json = values.given("json");
  options.command = values.all("--");
  return prepare(std::move(options), run_once);
}

} // namespace

extern const Subcommand k_once{
    .name = "once",
    .summary = "run a command once among all callers of NAME; the others wait for its outcome",
    .options = k_options,
    .footer = "After \"--\", CMD [ARGS...] is the command (required). The first caller runs it; "
              "callers meanwhile wait and exit 0 when it succeeded, 4 when it failed (the runner "
              "exits with its status); once it succeeded, callers exit 0 at once until reset "
              "NAME. Should the runner vanish, a waiting caller runs it again.",
    .command = Subcommand::Command::required,
    .build = build};

} // namespace rbarrier::commands
