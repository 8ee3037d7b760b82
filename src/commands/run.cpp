// SPDX-License-Identifier: Apache-2.0
// rbarrier run NAME -- CMD: a party that works under the barrier's watch, then waits.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fmt/format.h>
#include <poll.h>

#include "commands/commands.hpp"
#include "events.hpp"
#include "output.hpp"
#include "util/child.hpp"
#include "util/identity.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"
#include "waiter.hpp"

namespace rbarrier::commands {

namespace {

// A party of run is a waiting party once its command succeeded: its WaitOptions are those of that
// wait (without --on-timeout break, --once or a command after the release), except that timeout
// bounds its waiting to enter as well. Then its work:
struct RunOptions : WaitOptions {
  bool enter = false; // wait until all parties entered before the command starts
  Duration grace = std::chrono::seconds(10); // between SIGTERM and SIGKILL, stopping the command
  bool let_finish = false; // when the barrier breaks, let the command finish
  std::vector<std::string> work; // after "--"
};

// How long a party that gives up before its command started may take to withdraw.
constexpr Duration k_max_withdrawal = std::chrono::seconds(2);

// A party of run until its command ended: a working party of PROTOCOL.md. It enters the barrier
// holding a lease, waits for all to enter (--enter), then runs the command, renewing the lease
// and reading the barrier's events, so as to stop the command as soon as the gang cannot succeed
// any more, and to abort the barrier when the command fails.
class Worker : public Party {
public:
  Worker(const GlobalOptions& global, const RunOptions& options, const std::string& id);

  // nullopt when the command succeeded: the party then arrives and waits (a Waiter).
  std::optional<Result> work();
  const Report& report() const { return m_report; }
  // What its arrival names: the generation it entered and the barrier's instance.
  Work work_done() const { return {m_generation, m_token, m_waited}; }

private:
  std::optional<Result> enter();
  std::optional<Result> wait_entered();
  std::optional<Result> run_command();
  // Reads the barrier's events until `until`: true when one says the party must check the
  // stored state (the barrier broke, was reset, or the read reconnected). Counts those that
  // entered.
  bool read_events(Deadline until, Deadline deadline);
  // Renews the lease: nullopt while the party works, else why it must stop.
  std::optional<Result> renew(Deadline deadline);
  // The command ended with wait status `status`.
  std::optional<Result> ended(int status);
  // The command failed (`failure`: "exited 7", "killed by SIGSEGV", "cannot run...") or the party
  // was told to stop: aborts the barrier with the reason "<id>: <failure>", and exits with
  // `exit_code`.
  Result failed(int exit_code, const std::string& failure);
  // The barrier broke while the command ran: stops it (or lets it finish), then `why`.
  Result stop(Result why);
  // Waits until the command ended or `deadline`; true when it ended.
  bool wait_command(Deadline deadline);
  // Passes SIGINT and SIGTERM on to the command, and notes the first.
  void pass_signals();
  // Gives up before the command started (timeout, signal): withdraws, then `why`.
  Result withdraw(Result why);
  Result on_timeout() override;
  Result on_signal(int signo) override;
  std::string_view doing() const override { return m_command ? "working" : "entering"; }

  // All parties of the generation entered: its parties, or the size fixed at the end of its
  // last call (m_count, then).
  void all_entered(std::int64_t count);

  const RunOptions& m_options;
  bool m_all_entered = false;
  Duration m_interval; // between renewals
  std::optional<Child> m_command;
  int m_signal = 0; // the first SIGINT or SIGTERM received while working
  Duration m_waited{0};
};

// Its deadline is that of the waiting to enter.
Worker::Worker(const GlobalOptions& global, const RunOptions& options, const std::string& id)
    : Party(global, options.name, deadline_after(options.timeout), false), m_options(options),
      m_interval(std::min(options.lease / 3, k_max_check_interval)) {
  m_id = id;
  m_report.id = id;
}

std::optional<Result> Worker::work() {
  const auto started = Clock::now();
  bool entered = false;
  std::optional<Result> result = framed([&] {
    auto stopped = enter();
    if (!stopped && m_options.enter) {
      stopped = wait_entered();
    }
    entered = !stopped;
    return stopped.value_or(Result{});
  });
  if (entered) {
    m_waited = std::chrono::ceil<Duration>(Clock::now() - started);
    result = run_command();
  }
  m_report.generation = m_generation;
  m_report.parties = m_parties;
  return result;
}

Result Worker::on_timeout() {
  return withdraw( // unless the withdrawal finds an outcome, which wins
      {Ending::timeout, fmt::format("timed out after {} entering barrier {}",
                                    format_duration(*m_options.timeout), name())});
}

Result Worker::on_signal(int signo) {
  signals::take(); // taken: the withdrawal is not interrupted by it
  return withdraw(stopped_by(signo, fmt::format("entering barrier {}", name())));
}

std::optional<Result> Worker::enter() {
  const std::string new_token = random_hex(12);
  const Entry entry = m_events.until_room(
      [&] {
        return m_session.run(
            [&](redis::Connection& connection, Deadline attempt) {
              return m_barrier.enter(connection, m_id, m_options.shape, m_options.lease, "",
                                     new_token, 0, attempt);
            },
            m_deadline);
      },
      m_options.name, m_deadline);
  adopt(entry);
  switch (entry.status) {
  case Entry::Status::entered:
    all_entered(entry.count);
    [[fallthrough]];
  case Entry::Status::working:
    log::verbose("working at barrier {}: {}/{} entered in generation {}", name(), entry.count,
                 entry.parties, entry.generation);
    return std::nullopt;
  case Entry::Status::broken:
  case Entry::Status::mismatch:
  case Entry::Status::members:
    return refusal(entry, m_options.name, m_options.shape, m_id, m_options.members.size(),
                   m_report);
  case Entry::Status::duplicate:
    m_report.reason = "duplicate id";
    return Result{Ending::mismatch,
                  fmt::format("another party works at barrier {} under --id {} (for {} ms more "
                              "unless it renews): give each party its own --id",
                              name(), quote(m_id), entry.lease_left.count())};
  case Entry::Status::stopped: // only for a renewal
  case Entry::Status::lost:
  case Entry::Status::full: // until_room() tried again
    break;
  }
  return Result{Ending::error, to_int(ExitCode::internal), "unexpected reply to entering"};
}

void Worker::all_entered(std::int64_t count) {
  m_all_entered = true;
  m_count = count;
  m_parties = count; // with -n MIN:MAX, the gang is those who entered
}

std::optional<Result> Worker::wait_entered() {
  Deadline next_check = Clock::now() + m_interval;
  while (!m_all_entered) {
    if (Clock::now() >= m_deadline) {
      throw TimeoutError("the deadline passed"); // as the session would
    }
    // The end of a last call (or the deadline) is decided by the renewal that finds it passed.
    const Deadline check_at = std::min(next_check, m_wake);
    const bool check = read_events(std::min(check_at, m_deadline), m_deadline);
    if (!m_all_entered && (check || Clock::now() >= check_at)) {
      if (auto stopped = renew(m_deadline)) {
        return stopped;
      }
      next_check = Clock::now() + m_interval;
    }
  }
  log::verbose("all {} parties entered barrier {}", m_parties, name());
  return std::nullopt;
}

bool Worker::read_events(Deadline until, Deadline deadline) {
  const auto batch = m_events.next(until, deadline);
  bool check = batch.reconnected;
  for (const auto& event : batch.events) {
    if (event.token != m_token) {
      check = true; // another instance of the barrier: only the stored state tells
    } else if (event.kind == Event::Kind::entered && event.generation == m_generation) {
      all_entered(event.count);
    } else if (event.kind == Event::Kind::last_call && event.generation == m_generation) {
      called(event.closes_in);
    } else if (event.kind == Event::Kind::reset || event.kind == Event::Kind::aborted ||
               event.kind == Event::Kind::expired) {
      check = true; // it ended this party's work, unless it was of another generation
    }
  }
  return check;
}

std::optional<Result> Worker::renew(Deadline deadline) {
  const Entry renewal = m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.enter(connection, m_id, m_options.shape, m_options.lease, m_token, "",
                               m_generation, attempt);
      },
      deadline);
  switch (renewal.status) {
  case Entry::Status::entered:
    if (!m_all_entered) {
      all_entered(renewal.count);
    }
    timed(renewal.timing);
    return std::nullopt;
  case Entry::Status::working:
    m_count = renewal.count;
    timed(renewal.timing);
    return std::nullopt;
  case Entry::Status::broken:
    return ended_by({Outcome::aborted, renewal.reason});
  case Entry::Status::stopped: // the outcome of its generation ended its work
    return ended_by(renewal.ended);
  case Entry::Status::lost:
    return lost(renewal.reason, doing());
  case Entry::Status::mismatch: // only for a first entry
  case Entry::Status::members:
  case Entry::Status::full:
  case Entry::Status::duplicate:
    break;
  }
  return Result{Ending::error, to_int(ExitCode::internal), "unexpected reply to a renewal"};
}

std::optional<Result> Worker::run_command() {
  // With --members, all of them, ranked by id or naturally, the ranks are known now.
  std::optional<std::vector<std::string>> ranked;
  if (!m_options.members.empty() && !m_options.shape.elastic() &&
      m_options.shape.rank_by != RankBy::arrival) {
    ranked = m_options.members;
    std::sort(ranked->begin(), ranked->end(),
              m_options.shape.rank_by == RankBy::natural ? natural_less : bytewise_less);
  }
  export_party(m_options.name, m_generation, m_parties, m_id, ranked);
  try {
    m_command.emplace(m_options.work);
  } catch (const SpawnError& error) {
    return failed(error.exit_status(), fmt::format("cannot run {}: {}", quote(m_options.work[0]),
                                                   std::strerror(error.error)));
  }
  Deadline next_renewal = Clock::now() + m_interval;
  for (;;) {
    if (const auto status = m_command->ended()) {
      return ended(*status);
    }
    try {
      // The server may be away for a while: the command goes on, and its lease with it. A
      // deadline is decided by the renewal that finds it passed.
      const Deadline renew_at = std::min(next_renewal, m_wake);
      if (Clock::now() < renew_at && !read_events(renew_at, k_never) && Clock::now() < renew_at) {
        continue;
      }
      if (auto stopped = renew(k_never)) {
        return stop(*stopped);
      }
      next_renewal = Clock::now() + m_interval;
    } catch (const Interrupted&) {
      pass_signals();
      m_session.wake_on_signals();
    }
  }
}

void Worker::pass_signals() {
  const auto taken = signals::take();
  if (m_signal == 0) {
    m_signal = taken.first;
  }
  if (taken.pass_interrupt) {
    m_command->signal(SIGINT);
  }
  if (taken.pass_terminate) {
    m_command->signal(SIGTERM);
  }
}

std::optional<Result> Worker::ended(int status) {
  pass_signals(); // a signal that came meanwhile, and the command's SIGCHLD, dealt with
  if (status != 0) {
    return failed(exit_status_of(status), describe_wait_status(status));
  }
  if (m_signal != 0) { // told to stop: this party will not finish, whatever its command said
    const Result stopped = stopped_by(m_signal, "working");
    return failed(stopped.exit_code, std::string(json_name(stopped.ending)));
  }
  log::verbose("{} succeeded: arriving at barrier {}", quote(m_options.work[0]), name());
  return std::nullopt;
}

Result Worker::failed(int exit_code, const std::string& failure) {
  m_session.stop_interrupting(); // a bounded abort, which a signal must not cut short
  m_report.reason = fmt::format("{}: {}", m_id, failure);
  std::string then;
  try {
    const Check quit = m_session.run(
        [&](redis::Connection& connection, Deadline attempt) {
          return m_barrier.quit(connection, m_id, m_token, m_report.reason, m_generation, attempt);
        },
        Clock::now() + m_global.server.connect_timeout);
    switch (quit.status) {
    case Check::Status::aborted:
      m_session.wait_for_replicas(m_options.name);
      then = fmt::format("aborted barrier {}", name());
      break;
    case Check::Status::decided: // the reason stays this party's failure
      then = quit.decision.outcome == Outcome::reset
                 ? fmt::format("barrier {} was reset meanwhile", name())
                 : fmt::format("barrier {} was aborted already: {}", name(), quit.decision.reason);
      break;
    case Check::Status::lost:
      then = fmt::format("state of barrier {} lost: {}", name(), quit.why);
      break;
    case Check::Status::waiting:
    case Check::Status::left:
      break;
    }
  } catch (const Error& error) {
    then =
        fmt::format("could not abort barrier {} (its lease will lapse): {}", name(), error.what());
  }
  return {Ending::failed, exit_code, fmt::format("{}; {}", m_report.reason, then)};
}

Result Worker::stop(Result why) {
  if (m_options.let_finish) {
    log::verbose("letting {} finish", quote(m_options.work[0]));
    wait_command(k_never);
  } else {
    m_command->signal(SIGTERM);
    if (!wait_command(Clock::now() + m_options.grace)) {
      log::verbose("{} did not end within {} of SIGTERM: sending SIGKILL", quote(m_options.work[0]),
                   format_duration(m_options.grace));
      m_command->signal(SIGKILL);
      wait_command(k_never);
    }
  }
  why.message +=
      fmt::format("; {} {}", quote(m_options.work[0]), describe_wait_status(*m_command->ended()));
  return why;
}

bool Worker::wait_command(Deadline deadline) {
  for (;;) {
    if (m_command->ended()) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    pollfd fd{signals::wake_fd(), POLLIN, 0};
    if (::poll(&fd, 1, poll_timeout_ms(deadline)) > 0) {
      pass_signals();
    }
  }
}

Result Worker::withdraw(Result why) {
  m_session.stop_interrupting(); // a bounded withdrawal, which a signal must not cut short
  try {
    const Check left = m_session.run(
        [&](redis::Connection& connection, Deadline attempt) {
          return m_barrier.quit(connection, m_id, m_token, "", m_generation, attempt);
        },
        Clock::now() + std::min(m_global.server.connect_timeout, k_max_withdrawal));
    if (left.status == Check::Status::decided) {
      return ended_by(left.decision);
    }
  } catch (const Error& error) {
    log::warning(fmt::format("could not withdraw from barrier {}: {}", name(), error.what()));
  }
  return why;
}

Result run(const GlobalOptions& global, const RunOptions& options) {
  signals::watch_children();
  const std::string id = options.id ? *options.id : default_member_id();
  Work done;
  {
    Worker worker(global, options, id);
    if (auto result = worker.work()) {
      if (options.json) {
        Report report = worker.report();
        report.outcome = result->ending;
        print(report);
      }
      return *result;
    }
    done = worker.work_done();
  }
  // The command succeeded: the party arrives and waits as wait does, for what is left of
  // --timeout (its message names the whole --timeout).
  WaitOptions wait = options; // sliced: --enter, --grace, --let-finish and the work stay behind
  wait.id = id;
  return Waiter(global, wait, std::move(done)).run();
}

using Kind = OptionSpec::Kind;

constexpr OptionSpec k_options[] = {
    k_name_option,
    k_parties_option,
    k_last_call_option,
    k_deadline_option,
    k_rank_by_option,
    {"-t,--timeout", Kind::value, "DUR",
     "give up after waiting DUR in all, for the others to enter and to finish; the command's "
     "time does not count (0, the default: wait for ever)"},
    k_id_option,
    {"--lease", Kind::value, "DUR",
     "if this party stops renewing for DUR, the barrier is aborted while it works, and it is "
     "withdrawn once it waits (default 30s)"},
    {"--enter", Kind::flag, "",
     "start the command only once all N parties have entered (with MIN:MAX, those who entered "
     "by the end of the last call)"},
    {"--grace", Kind::value, "DUR",
     "when the barrier breaks, how long the command may take to end after SIGTERM before "
     "SIGKILL (default 10s)"},
    {"--let-finish", Kind::flag, "",
     "when the barrier breaks, let the command finish instead of stopping it"},
    k_members_option,
    k_data_option,
    k_json_option,
};

Prepared build(const Values& values, const GlobalOptions& global) {
  RunOptions options;
  static_cast<WaitOptions&>(options) = waiting_options(values, global);
  options.enter = values.given("enter");
  if (values.given("grace")) {
    options.grace = parse_duration("--grace", values["grace"]);
  }
  options.let_finish = values.given("let-finish");
  if (options.let_finish && values.given("grace")) {
    throw UsageError("--grace and --let-finish exclude each other");
  }
  options.work = values.all("--");
  return prepare(std::move(options), run);
}

} // namespace

extern const Subcommand k_run{
    .name = "run",
    .summary = "run a command as one of N parties at NAME: meet when all succeeded, or fail fast "
               "together",
    .options = k_options,
    .footer = "After \"--\", CMD [ARGS...] is the work (required). If it exits 0, the party "
              "arrives and waits as wait does; if it fails, the barrier is aborted naming this "
              "party, and rbarrier exits with its status.",
    .command = Subcommand::Command::required,
    .build = build};

} // namespace rbarrier::commands
