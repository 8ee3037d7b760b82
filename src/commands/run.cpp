// SPDX-License-Identifier: Apache-2.0
// rbarrier run NAME -- CMD: a party that works under the barrier's watch, then waits.
#include <algorithm>
#include <fmt/format.h>

#include "commands/commands.hpp"
#include "output.hpp"
#include "util/identity.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"
#include "waiter.hpp"
#include "worker.hpp"

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
// holding a lease, waits for all to enter (--enter), then runs the command as a Worker does, and
// aborts the barrier when the command fails.
class Member : public Worker {
public:
  Member(const GlobalOptions& global, const RunOptions& options, const std::string& id);

  // nullopt when the command succeeded: the party then arrives and waits (a Waiter).
  std::optional<Result> work();
  const Report& report() const { return m_report; }
  // What its arrival names: the generation it entered and the barrier's instance.
  Work work_done() const { return {m_generation, m_token, m_waited}; }

private:
  std::optional<Result> enter();
  std::optional<Result> wait_entered();
  std::optional<Result> start_command();
  std::optional<Result> renew(Deadline deadline) override;
  // Aborts the barrier with the reason "<id>: <failure>".
  Result failed(int exit_code, const std::string& failure) override;
  void on_entered(std::int64_t count) override;
  // Gives up before the command started (timeout, signal): withdraws, then `why`.
  Result withdraw(Result why);
  Result on_timeout() override;
  Result on_signal(int signo) override;
  std::string_view doing() const override { return working() ? "working" : "entering"; }

  // All parties of the generation entered: its parties, or the size fixed at the end of its
  // last call (m_count, then).
  void all_entered(std::int64_t count);

  const RunOptions& m_options;
  bool m_all_entered = false;
  Duration m_waited{0};
};

// Its deadline is that of the waiting to enter.
Member::Member(const GlobalOptions& global, const RunOptions& options, const std::string& id)
    : Worker(global, options.name, deadline_after(options.timeout), options.lease, options.grace,
             options.let_finish),
      m_options(options) {
  m_id = id;
  m_report.id = id;
}

std::optional<Result> Member::work() {
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
    result = start_command();
  }
  m_report.generation = m_generation;
  m_report.parties = m_parties;
  return result;
}

Result Member::on_timeout() {
  return withdraw( // unless the withdrawal finds an outcome, which wins
      {Ending::timeout, fmt::format("timed out after {} entering barrier {}",
                                    format_duration(*m_options.timeout), name())});
}

Result Member::on_signal(int signo) {
  signals::take(); // taken: the withdrawal is not interrupted by it
  return withdraw(stopped_by(signo, fmt::format("entering barrier {}", name())));
}

std::optional<Result> Member::enter() {
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

void Member::on_entered(std::int64_t count) { all_entered(count); }

void Member::all_entered(std::int64_t count) {
  m_all_entered = true;
  m_count = count;
  m_parties = count; // with -n MIN:MAX, the gang is those who entered
}

std::optional<Result> Member::wait_entered() {
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

std::optional<Result> Member::renew(Deadline deadline) {
  const Entry renewal = renew_entry(m_options.shape, m_options.lease, deadline);
  if (auto ended = no_longer_working(renewal)) {
    return ended;
  }
  if (renewal.status == Entry::Status::entered && !m_all_entered) {
    all_entered(renewal.count);
  } else if (renewal.status == Entry::Status::working) {
    m_count = renewal.count;
  }
  timed(renewal.timing);
  return std::nullopt;
}

std::optional<Result> Member::start_command() {
  // With --members, all of them, ranked by id or naturally, the ranks are known now.
  std::optional<std::vector<std::string>> ranked;
  if (!m_options.members.empty() && !m_options.shape.elastic() &&
      m_options.shape.rank_by != RankBy::arrival) {
    ranked = m_options.members;
    std::sort(ranked->begin(), ranked->end(),
              m_options.shape.rank_by == RankBy::natural ? natural_less : bytewise_less);
  }
  export_party(m_options.name, m_generation, m_parties, m_id, ranked);
  return run_command(m_options.work);
}

Result Member::failed(int exit_code, const std::string& failure) {
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
    case Check::Status::act:
      break;
    }
  } catch (const Error& error) {
    then =
        fmt::format("could not abort barrier {} (its lease will lapse): {}", name(), error.what());
  }
  return {Ending::failed, exit_code, fmt::format("{}; {}", m_report.reason, then)};
}

Result Member::withdraw(Result why) {
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
  const std::string id = options.id ? *options.id : default_member_id();
  Work done;
  {
    Member worker(global, options, id);
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
    k_action_option,
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
