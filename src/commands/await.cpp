// SPDX-License-Identifier: Apache-2.0
// rbarrier await NAME...: wait for generations' outcomes without being counted.
#include <algorithm>
#include <fmt/format.h>
#include <memory>
#include <optional>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "output.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"
#include "watcher.hpp"

namespace rbarrier::commands {

namespace {

struct AwaitOptions {
  std::string name; // the first NAME given, for main()'s messages
  std::vector<std::string> names; // every NAME given, in order
  std::optional<Duration> timeout; // none: for ever (no --timeout, or the literal 0)
  std::optional<std::int64_t> generation; // none: the current one
  bool json = false;
  std::vector<std::string> command; // after "--"
};

// One party waiting for the outcome of a generation without being counted: nothing of it is
// stored, so a timeout or a signal ends it without a withdrawal.
class Awaiter : public Watcher {
public:
  // Awaits barrier `name`: alone, with the command and --json of `options`; or as one of several
  // (Gathering) through their `shared` session, with no command, reading the roster on a release
  // when `roster` says the command or --json want it.
  Awaiter(const GlobalOptions& global, const AwaitOptions& options, const std::string& name,
          Deadline deadline)
      : Watcher(global, name, options.command, deadline, "awaiting", options.json),
        m_options(options) {}
  Awaiter(const GlobalOptions& global, const AwaitOptions& options, const std::string& name,
          Deadline deadline, bool roster, Session* shared)
      : Watcher(global, name, k_no_command, deadline, "", roster, shared), m_options(options) {}

  using Watcher::begin;
  using Watcher::due;
  using Watcher::report;
  using Watcher::take;
  EventStream& events() { return m_events; }
  // What it still awaits, for a timeout: "generation 2 of barrier "a" (1/3 arrived)".
  std::string awaited() const;
  // Its part of a gathering's live line: "2/3 arrived", or that it does not exist yet.
  std::string progress() const { return seen() ? Watcher::progress() : "does not exist yet"; }

private:
  static inline const std::vector<std::string> k_no_command;

  // The first look: the outcome if it is known, else nullopt.
  std::optional<Result> start() override;
  // Every 5 s, and just after a working party's lease would lapse: the observation that finds it
  // lapsed breaks the barrier, as a waiting party's poll would.
  Duration check_interval() const override {
    return m_lapse ? std::min(k_max_check_interval, *m_lapse + k_after_lapse)
                   : k_max_check_interval;
  }
  std::optional<Result> check() override;
  // Nothing to withdraw: it ends at once.
  Result on_signal(int signo) override;
  std::string_view doing() const override { return "awaiting"; }
  std::optional<Result> on_observation(const Observation& observation);
  Result on_timeout() override;
  // Until the barrier is seen, the outcome of the generation awaited of whichever instance comes.
  bool ours(const Event& event) const override { return m_token.empty() || event.token == m_token; }

  // The barrier was seen: by a look, or by an event of its first generation (before a look).
  bool seen() const { return !m_token.empty() || m_parties > 0; }

  static constexpr Duration k_after_lapse{50};

  const AwaitOptions& m_options;
  bool m_observed = false; // m_generation is the one awaited
  std::optional<Duration> m_lapse; // of the last observation
};

std::optional<Result> Awaiter::start() {
  const Observation first = m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.observe(connection, m_options.generation, "", attempt);
      },
      m_deadline);
  m_events.start_at(first.from);
  return on_observation(first);
}

Result Awaiter::on_signal(int signo) {
  return stopped_by(signo, fmt::format("awaiting barrier {}", name()));
}

std::optional<Result> Awaiter::check() {
  return on_observation(m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.observe(connection, m_generation, m_token, attempt);
      },
      m_deadline));
}

std::optional<Result> Awaiter::on_observation(const Observation& observation) {
  const bool first = !m_observed;
  m_observed = true;
  m_lapse = observation.lapse;
  m_generation = observation.generation;
  if (observation.status == Observation::Status::lost) {
    m_report.reason = observation.detail;
    if (first && m_options.generation) {
      return Result{Ending::lost,
                    fmt::format("cannot await generation {} of barrier {}: {} (the last 100 "
                                "outcomes are kept)",
                                m_generation, name(), observation.detail)};
    }
    return lost(observation.detail, "awaiting it");
  }
  if (!observation.token.empty()) {
    m_token = observation.token;
  }
  if (observation.parties > 0) { // none after a reset or an expiry: what it saw before
    m_parties = observation.parties;
  }
  timed(observation.timing);
  if (observation.timing.elastic(observation.parties) &&
      observation.status == Observation::Status::waiting) {
    m_report.min = observation.timing.min;
    m_report.max = observation.parties;
  }
  switch (observation.status) {
  case Observation::Status::none:
    if (first) {
      log::verbose("barrier {} does not exist yet: awaiting its generation {}", name(),
                   m_generation);
    }
    return std::nullopt;
  case Observation::Status::waiting:
    if (first) {
      log::verbose("awaiting generation {} of barrier {} ({}/{} arrived)", m_generation, name(),
                   observation.count, observation.parties);
    }
    counted(observation.count, observation.parties);
    return std::nullopt;
  case Observation::Status::decided:
    return on_decision(parse_decision(observation.detail));
  case Observation::Status::broken:
    m_report.reason = observation.detail;
    return Result{Ending::broken,
                  observation.detail.empty()
                      ? fmt::format("barrier {} is broken", name())
                      : fmt::format("barrier {} is broken: {}", name(), observation.detail)};
  case Observation::Status::passed:
    log::verbose("barrier {} was passed already (--once)", name());
    return released(false, Ending::passed);
  case Observation::Status::lost:
    break;
  }
  return std::nullopt;
}

std::string Awaiter::awaited() const {
  if (!seen()) {
    return fmt::format("barrier {} (it does not exist yet)", name());
  }
  return fmt::format("generation {} of barrier {} ({})", m_generation, name(), progress());
}

Result Awaiter::on_timeout() {
  return {Ending::timeout,
          fmt::format("timed out after {} awaiting {}",
                      format_duration(m_options.timeout.value_or(Duration(0))), awaited())};
}

// Several barriers awaited together, until every one's generation is released or the first
// other outcome. One connection and one XREAD serve them all; but on a Redis Cluster a command's
// keys must share a slot, and each barrier has its own: there each has its connection, and
// their streams are read in turn, each blocking for k_turn at most.
class Gathering {
public:
  Gathering(const GlobalOptions& global, const AwaitOptions& options)
      : m_global(global), m_options(options), m_deadline(deadline_after(options.timeout)),
        m_json(options.json) {}

  Result run();

private:
  Result gather();
  // What one awaiter's decision means for all: nullopt while the others are still awaited.
  std::optional<Result> decided(std::size_t i, const Result& result);
  Result on_timeout() const;
  Result released();
  // Draws the live line on a terminal: each barrier's progress, the time waited.
  void show_progress() const;
  // When the live line's time next changes, or never when there is none.
  Deadline next_tick() const { return m_live ? next_second(m_started) : k_never; }
  // Prints the --json of all, with `ending`, once.
  void print_reports(Ending ending);
  // The barriers, quoted, for messages.
  std::string names() const { return list_ids(m_options.names, m_options.names.size()); }

  static constexpr Duration k_turn{100};

  const GlobalOptions& m_global;
  const AwaitOptions& m_options;
  const Deadline m_deadline;
  const Deadline m_started = Clock::now();
  const bool m_live = log::live_enabled(); // the live line is shown
  bool m_json; // --json, not printed yet
  std::optional<Session> m_session; // the first barrier's, which the others share but on a Cluster
  bool m_cluster = false;
  std::vector<std::unique_ptr<Awaiter>> m_awaiters;
  std::vector<std::optional<Ending>> m_outcomes; // of each awaiter, once decided
};

Result Gathering::run() {
  Result result;
  try {
    try {
      result = gather();
    } catch (const TimeoutError&) {
      if (Clock::now() < m_deadline) {
        throw; // the server stopped answering: unreachable, before the deadline
      }
      result = on_timeout();
    }
  } catch (const Interrupted& interrupted) {
    result = stopped_by(interrupted.signo, "awaiting barriers " + names());
  } catch (const Error& error) {
    log::end_live();
    result = {Ending::error, to_int(error.code()),
              fmt::format("barriers {}: {}", names(), error.what())};
    return result; // main() prints its --json
  }
  log::end_live();
  if (m_json && m_awaiters.size() == m_options.names.size()) { // else main() prints one
    print_reports(result.ending);
  }
  return result;
}

void Gathering::print_reports(Ending ending) {
  std::vector<Report> reports;
  for (std::size_t i = 0; i < m_awaiters.size(); ++i) {
    Report report = m_awaiters[i]->report(m_outcomes[i].value_or(ending));
    report.decided = m_outcomes[i].has_value();
    reports.push_back(std::move(report));
  }
  print(ending, reports);
  m_json = false;
}

Result Gathering::gather() {
  Session& first = m_session.emplace(m_global.server);
  m_cluster = !first.cluster_masters(m_deadline).empty();
  const bool roster = m_options.json || !m_options.command.empty();
  for (const auto& name : m_options.names) {
    // On a Cluster, the first barrier's session is the one that asked; each other has its own.
    Session* shared = m_cluster && !m_awaiters.empty() ? nullptr : &first;
    m_awaiters.push_back(
        std::make_unique<Awaiter>(m_global, m_options, name, m_deadline, roster, shared));
    m_outcomes.emplace_back();
  }
  for (std::size_t i = 0; i < m_awaiters.size(); ++i) {
    if (auto result = m_awaiters[i]->begin()) {
      if (auto all = decided(i, *result)) {
        return *all;
      }
    }
  }
  for (;;) {
    if (Clock::now() >= m_deadline) {
      return on_timeout();
    }
    std::vector<std::size_t> awaited;
    for (std::size_t i = 0; i < m_awaiters.size(); ++i) {
      if (!m_outcomes[i]) {
        awaited.push_back(i);
      }
    }
    show_progress();
    if (m_cluster) {
      for (const std::size_t i : awaited) {
        Awaiter& awaiter = *m_awaiters[i];
        const Deadline until =
            std::min({awaiter.due(), m_deadline, Clock::now() + k_turn, next_tick()});
        if (auto result = awaiter.take(awaiter.events().next(until, m_deadline))) {
          if (auto all = decided(i, *result)) {
            return *all;
          }
        }
      }
      continue;
    }
    Deadline until = std::min(m_deadline, next_tick());
    std::vector<EventStream*> streams;
    for (const std::size_t i : awaited) {
      until = std::min(until, m_awaiters[i]->due());
      streams.push_back(&m_awaiters[i]->events());
    }
    const auto batches = EventStream::next_of(streams, until, m_deadline);
    for (std::size_t k = 0; k < awaited.size(); ++k) {
      if (auto result = m_awaiters[awaited[k]]->take(batches[k])) {
        if (auto all = decided(awaited[k], *result)) {
          return *all;
        }
      }
    }
  }
}

std::optional<Result> Gathering::decided(std::size_t i, const Result& result) {
  m_outcomes[i] = result.ending;
  if (result.ending != Ending::released && result.ending != Ending::passed) {
    return result; // the first outcome that is not a release ends the wait for all
  }
  if (std::all_of(m_outcomes.begin(), m_outcomes.end(),
                  [](const std::optional<Ending>& outcome) { return outcome.has_value(); })) {
    return released();
  }
  return std::nullopt;
}

Result Gathering::on_timeout() const {
  std::string awaited;
  std::size_t count = 0;
  for (std::size_t i = 0; i < m_awaiters.size(); ++i) {
    if (!m_outcomes[i]) {
      awaited += (awaited.empty() ? "" : "; ") + m_awaiters[i]->awaited();
      ++count;
    }
  }
  return {Ending::timeout, fmt::format("timed out after {} awaiting {} of {} barriers: {}",
                                       format_duration(m_options.timeout.value_or(Duration(0))),
                                       count, m_awaiters.size(), awaited)};
}

Result Gathering::released() {
  if (m_options.command.empty()) {
    return {Ending::released, {}};
  }
  ::setenv("RBARRIER_BARRIERS", std::to_string(m_awaiters.size()).c_str(), 1);
  for (std::size_t i = 0; i < m_awaiters.size(); ++i) {
    const Report report = m_awaiters[i]->report(Ending::released);
    std::optional<std::vector<std::string>> ids;
    if (report.members) {
      ids.emplace();
      for (const auto& member : *report.members) {
        ids->push_back(member.id);
      }
    }
    export_party(report.name, report.generation, report.parties, "", ids,
                 fmt::format("_{}", i + 1));
  }
  log::end_live();
  if (m_json) { // now: the command takes this process's place
    print_reports(Ending::released);
  }
  return exec_after(m_options.command, "barriers " + names());
}

void Gathering::show_progress() const {
  if (!m_live) {
    return;
  }
  std::string each;
  for (std::size_t i = 0; i < m_awaiters.size(); ++i) {
    each += fmt::format("{}{} {}", i == 0 ? "" : ", ", quote(m_options.names[i]),
                        !m_outcomes[i]                     ? m_awaiters[i]->progress()
                        : *m_outcomes[i] == Ending::passed ? "passed"
                                                           : "released");
  }
  log::live(
      fmt::format("awaiting {} barriers: {}, {}", m_awaiters.size(), each, waited_text(m_started)));
}

using Kind = OptionSpec::Kind;

constexpr OptionSpec k_options[] = {
    {"NAME", Kind::positional, "",
     "the barrier's name; several: await every one's current generation", false, true},
    k_timeout_option,
    {"--generation", Kind::value, "G",
     "await generation G (default: the current one, or the first if NAME does not exist yet); "
     "with one NAME only"},
    {"--json", Kind::flag, "",
     "print the outcome as one JSON object on stdout (members and data on a release; with "
     "several NAMEs, each barrier's under \"barriers\")"},
};

Prepared build(const Values& values, const GlobalOptions&) {
  AwaitOptions options;
  options.names = values.all("NAME");
  for (auto name = options.names.begin(); name != options.names.end(); ++name) {
    if (name->empty()) {
      throw UsageError("the barrier name must not be empty");
    }
    if (std::find(options.names.begin(), name, *name) != name) {
      throw UsageError(fmt::format("barrier {} is named twice", quote(*name)));
    }
  }
  options.name = options.names.front();
  options.timeout = timeout(values);
  if (values.given("generation")) {
    if (options.names.size() > 1) {
      throw UsageError(
          fmt::format("--generation applies to one barrier; {} are named", options.names.size()));
    }
    options.generation = parse_positive("--generation", values["generation"]);
  }
  options.json = values.given("json");
  options.command = values.all("--");
  return prepare(
      std::move(options), +[](const GlobalOptions& global, const AwaitOptions& awaited) {
        if (awaited.names.size() > 1) {
          return Gathering(global, awaited).run();
        }
        return Awaiter(global, awaited, awaited.name, deadline_after(awaited.timeout)).run();
      });
}

} // namespace

extern const Subcommand k_await{
    .name = "await",
    .summary = "wait, without being counted, for the outcome of each NAME's current generation",
    .options = k_options,
    .footer = "With several NAMEs it waits until every one is released, and ends at the first "
              "that is reset, aborted, broken, expired or lost, with its status. After \"--\", "
              "CMD [ARGS...] is run once the generation is released (with RBARRIER_BARRIERS and "
              "RBARRIER_NAME_1, RBARRIER_GENERATION_1, ... for several), and its exit status "
              "becomes rbarrier's.",
    .command = Subcommand::Command::optional,
    .build = build};

} // namespace rbarrier::commands
