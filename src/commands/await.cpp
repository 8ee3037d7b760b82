// SPDX-License-Identifier: Apache-2.0
// rbarrier await NAME: wait for a generation's outcome without being counted.
#include <fmt/format.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"
#include "watcher.hpp"

namespace rbarrier::commands {

namespace {

struct AwaitOptions {
  std::string name;
  std::optional<Duration> timeout; // none: for ever (no --timeout, or the literal 0)
  std::optional<std::int64_t> generation; // none: the current one
  bool json = false;
  std::vector<std::string> command; // after "--"
};

// One party waiting for the outcome of a generation without being counted: nothing of it is
// stored, so a timeout or a signal ends it without a withdrawal.
class Awaiter : public Watcher {
public:
  Awaiter(const GlobalOptions& global, const AwaitOptions& options)
      : Watcher(global, options.name, options.command, deadline_after(options.timeout), "awaiting",
                options.json),
        m_options(options) {}

private:
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

Result Awaiter::on_timeout() {
  const std::string timeout = format_duration(m_options.timeout.value_or(Duration(0)));
  if (m_token.empty()) {
    return {Ending::timeout,
            fmt::format("timed out after {} awaiting barrier {} (it does not exist yet)", timeout,
                        name())};
  }
  return {Ending::timeout,
          fmt::format("timed out after {} awaiting generation {} of barrier {} ({}/{} arrived)",
                      timeout, m_generation, name(), m_count, m_parties)};
}

using Kind = OptionSpec::Kind;

constexpr OptionSpec k_options[] = {
    k_name_option,
    k_timeout_option,
    {"--generation", Kind::value, "G",
     "await generation G (default: the current one, or the first if NAME does not exist yet)"},
    {"--json", Kind::flag, "",
     "print the outcome as one JSON object on stdout (members and data on a release)"},
};

Prepared build(const Values& values, const GlobalOptions&) {
  AwaitOptions options;
  options.name = barrier_name(values);
  options.timeout = timeout(values);
  if (values.given("generation")) {
    options.generation = parse_positive("--generation", values["generation"]);
  }
  options.json = values.given("json");
  options.command = values.all("--");
  return prepare(
      std::move(options), +[](const GlobalOptions& global, const AwaitOptions& awaited) {
        return Awaiter(global, awaited).run();
      });
}

} // namespace

extern const Subcommand k_await{
    .name = "await",
    .summary = "wait, without being counted, for the outcome of NAME's current generation",
    .options = k_options,
    .footer = "After \"--\", CMD [ARGS...] is run once the generation is released, and its exit "
              "status becomes rbarrier's.",
    .command = Subcommand::Command::optional,
    .build = build};

} // namespace rbarrier::commands
