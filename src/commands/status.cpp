// SPDX-License-Identifier: Apache-2.0
// rbarrier status NAME: a barrier's state, once or on every change.
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "events.hpp"
#include "output.hpp"
#include "report.hpp"
#include "session.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

namespace {

struct StatusOptions {
  std::string name;
  bool json = false;
  bool watch = false; // print again on every change, until a signal
};

constexpr OptionSpec k_options[] = {
    k_name_option,
    {"--json", OptionSpec::Kind::flag, "",
     "print JSON instead of text (with --watch, a line each)"},
    {"-w,--watch", OptionSpec::Kind::flag, "",
     "print again on every change, until interrupted (also before it exists)"},
};

std::string describe(const Decision& decision) {
  switch (decision.outcome) {
  case Outcome::released:
    return "released";
  case Outcome::reset:
    return "reset";
  case Outcome::aborted:
    return decision.reason.empty() ? "aborted"
                                   : fmt::format("aborted: {}", escape_controls(decision.reason));
  case Outcome::expired: {
    const Expiry expiry = parse_expiry(decision.reason);
    return fmt::format("expired: the deadline passed with {} of {} parties{}", expiry.entered,
                       expiry.needed,
                       expiry.never.empty() ? "" : "; never arrived: " + list_ids(expiry.never));
  }
  }
  return "unknown";
}

// -n as the first party gave it: "N", or "MIN:MAX".
std::string parties_of(const Snapshot& s) {
  if (!s.parties) {
    return "? (set by the next arrival)";
  }
  return parties_text(s.timing.fewest(*s.parties), *s.parties);
}

// A barrier of rbarrier once: running (by whom, since when), done (by whom, when), or not done.
std::string once_state(const Snapshot& s) {
  if (s.state == "broken") {
    return fmt::format("broken ({})", escape_controls(s.reason));
  }
  if (s.state == "passed") {
    return fmt::format("done by {}, {} ago", quote(s.done_by),
                       format_duration(Duration(s.now_ms - s.done_at_ms.value_or(s.now_ms))));
  }
  if (!s.working.empty()) {
    const auto& runner = s.working.front();
    return fmt::format("running by {} for {}, {}", quote(runner.id),
                       format_duration(Duration(s.now_ms - s.runner_since_ms.value_or(s.now_ms))),
                       runner.lease_left->count() > 0
                           ? "lease " + format_duration(*runner.lease_left)
                           : std::string("lease lapsed (the next caller runs it again)"));
  }
  return "not done";
}

std::string once_text(std::string_view name, const Snapshot& s) {
  std::string out = fmt::format("once {}\n", quote(name, std::string_view::npos));
  out += fmt::format("  state:      {}\n", once_state(s));
  out += fmt::format("  attempt:    {}\n", s.state == "passed" ? s.generation - 1 : s.generation);
  if (!s.failed.empty()) {
    out += fmt::format("  failed:     {}\n", escape_controls(s.failed));
  }
  out += fmt::format("  expires in: {}\n",
                     s.ttl.count() < 0 ? std::string("never") : format_duration(s.ttl));
  return out;
}

std::string text(std::string_view name, const Snapshot& s) {
  if (s.command) {
    return once_text(name, s);
  }
  std::string out = fmt::format("barrier {}\n", quote(name, std::string_view::npos));
  out += fmt::format("  state:      {}{}\n", s.state,
                     s.state == "broken" && !s.reason.empty()
                         ? fmt::format(" ({})", escape_controls(s.reason))
                         : "");
  out += fmt::format("  generation: {}\n", s.generation);
  if (!s.working.empty()) { // run's parties whose command runs
    out += fmt::format("  working:    {}\n", s.working.size());
    for (const auto& party : s.working) {
      out += fmt::format("    {}  {}\n", quote(party.id),
                         party.lease_left->count() > 0
                             ? "lease " + format_duration(*party.lease_left)
                             : std::string("lease lapsed (the next operation aborts)"));
    }
  }
  out += fmt::format("  arrived:    {} of {}{}\n", s.members.size(), parties_of(s),
                     s.once ? " (--once)" : "");
  if (s.parties && s.timing.elastic(*s.parties)) {
    out +=
        fmt::format("  last call:  {}\n",
                    s.timing.closes_in ? "ends in " + format_duration(*s.timing.closes_in)
                                       : fmt::format("{} once {} are there",
                                                     format_duration(s.last_call), s.timing.min));
  }
  if (s.timing.deadline_in) {
    out +=
        fmt::format("  deadline:   in {} (--deadline {})\n", format_duration(*s.timing.deadline_in),
                    format_duration(s.timing.deadline.value_or(Duration(0))));
  }
  if (s.timing.rank_by != RankBy::id) {
    out += fmt::format("  ranks by:   {}\n", name_of(s.timing.rank_by));
  }
  if (s.timing.action) {
    out += "  action:     run by one party before each release (--action)\n";
  }
  for (const auto& member : s.members) {
    out += fmt::format("    {}  {}{}\n", quote(member.id),
                       member.lease_left ? "lease " + format_duration(*member.lease_left)
                                         : std::string("arrived (no lease)"),
                       member.value.empty() ? "" : "  data " + quote(member.value));
  }
  if (!s.expected.empty()) {
    const auto missing = missing_members(s);
    out += fmt::format("  missing:    {}\n",
                       missing.empty() ? std::string("none") : list_ids(missing, 20));
  }
  out += fmt::format("  last:       {}\n", s.last ? describe(*s.last) : "none");
  out += fmt::format("  expires in: {}\n",
                     s.ttl.count() < 0 ? std::string("never") : format_duration(s.ttl));
  return out;
}

// Indented over several lines, or on one line when `indent` is -1.
std::string json(std::string_view name, const Snapshot& s, int indent) {
  nlohmann::json members = nlohmann::json::array();
  for (const auto& member : s.members) {
    members.push_back(
        {{"id", member.id},
         {"lease_ms",
          member.lease_left ? nlohmann::json(member.lease_left->count()) : nlohmann::json(nullptr)},
         {"data", member.value.empty() ? nlohmann::json(nullptr) : nlohmann::json(member.value)}});
  }
  nlohmann::json working = nlohmann::json::array();
  for (const auto& party : s.working) {
    working.push_back({{"id", party.id}, {"lease_ms", party.lease_left->count()}});
  }
  const auto ms = [](const std::optional<Duration>& d) {
    return d ? nlohmann::json(d->count()) : nlohmann::json(nullptr);
  };
  const bool elastic = s.parties && s.timing.elastic(*s.parties);
  nlohmann::json out = {
      {"name", name},
      {"parties", s.parties ? nlohmann::json(*s.parties) : nlohmann::json(nullptr)},
      // -n MIN:MAX: MIN (null for N), the last call, and when it ends (null: not called)
      {"min", elastic ? nlohmann::json(s.timing.min) : nlohmann::json(nullptr)},
      {"last_call_ms", elastic ? nlohmann::json(s.last_call.count()) : nlohmann::json(nullptr)},
      {"last_call_ends_ms", ms(s.timing.closes_in)},
      // the generation's --deadline, and the time left to it (null: none)
      {"deadline_ms", ms(s.timing.deadline)},
      {"deadline_in_ms", ms(s.timing.deadline_in)},
      {"rank_by", name_of(s.timing.rank_by)},
      {"action", s.timing.action}, // --action: a barrier action runs before each release
      {"generation", s.generation},
      {"state", s.state},
      {"reason", s.reason},
      {"once", s.once},
      {"arrived", s.members.size()},
      {"members", members},
      {"working", working}, // run's parties whose command runs; lease_ms <= 0: lapsed
      // with --members, who has not arrived; null without
      {"missing",
       s.expected.empty() ? nlohmann::json(nullptr) : nlohmann::json(missing_members(s))},
      {"last_outcome", s.last ? nlohmann::json(describe(*s.last)) : nlohmann::json(nullptr)},
      {"ttl_ms", s.ttl.count() < 0 ? nlohmann::json(nullptr) : nlohmann::json(s.ttl.count())},
      // rbarrier once: "once" and its state in words ("running by ...", "done by ...", "not
      // done"), who did it and the last failure; "barrier" and nulls for a barrier of parties
      {"kind", s.command ? "once" : "barrier"},
      {"once_state", s.command ? nlohmann::json(once_state(s)) : nlohmann::json(nullptr)},
      {"done_by", s.done_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.done_by)},
      {"last_failure", s.failed.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.failed)},
  };
  // Names and ids are arbitrary bytes: invalid UTF-8 becomes U+FFFD rather than an exception.
  return out.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// status --watch: a snapshot now and after every event in the barrier's streams. Several events
// that came together make one snapshot. On a terminal the text is redrawn in place, every second
// too (leases and the TTL count down); elsewhere snapshots follow each other, text separated by a
// blank line, JSON one line each ("null" while there is no barrier).
Result watch(const GlobalOptions& global, const StatusOptions& options) {
  Session session(global.server);
  const Barrier barrier(global.prefix, options.name, global.ttl);
  const bool screen = !options.json && ::isatty(STDOUT_FILENO) == 1;
  // Read again now and then while nothing happens, so that a stopped server is noticed.
  const Duration quiet = screen ? std::chrono::seconds(1) : std::chrono::seconds(5);
  EventStream events(session, barrier.keys(), true);
  try {
    for (bool first = true;; first = false) {
      const auto status =
          session.run([&](redis::Connection& connection,
                          Deadline attempt) { return barrier.status(connection, attempt); },
                      k_never);
      events.start_at(status.from);
      std::string out = screen ? "\033[H\033[2J" : first || options.json ? "" : "\n";
      if (options.json) {
        out += status.snapshot ? json(options.name, *status.snapshot, -1) : "null\n";
      } else {
        out += status.snapshot ? text(options.name, *status.snapshot)
                               : fmt::format("no barrier {} (yet)\n", quote(options.name));
      }
      if (!(std::cout << out << std::flush)) {
        return {Ending::error, to_int(ExitCode::internal), "cannot write to standard output"};
      }
      note_printed();
      // Until something happens (or, on a screen, a second passes).
      for (;;) {
        const auto batch = events.next(Clock::now() + quiet, k_never);
        if (screen || batch.reconnected || !batch.events.empty()) {
          break;
        }
      }
    }
  } catch (const Interrupted& interrupted) {
    return stopped_by(interrupted.signo, fmt::format("watching barrier {}", quote(options.name)));
  }
}

Result status(const GlobalOptions& global, const StatusOptions& options) {
  if (options.watch) {
    return watch(global, options);
  }
  Session session(global.server);
  const Barrier barrier(global.prefix, options.name, global.ttl);
  const Deadline deadline = Clock::now() + global.server.connect_timeout;
  const auto snapshot =
      session
          .run([&](redis::Connection& connection,
                   Deadline attempt) { return barrier.status(connection, attempt); },
               deadline)
          .snapshot;
  if (!snapshot) {
    return {Ending::error, to_int(ExitCode::no_such_barrier),
            fmt::format("no barrier {}", quote(options.name))};
  }
  std::cout << (options.json ? json(options.name, *snapshot, 2) : text(options.name, *snapshot))
            << std::flush;
  note_printed();
  return {};
}

Prepared build(const Values& values, const GlobalOptions&) {
  return prepare(StatusOptions{barrier_name(values), values.given("json"), values.given("watch")},
                 status);
}

} // namespace

extern const Subcommand k_status{.name = "status",
                                 .summary = "show a barrier's state (exit 6 if it does not exist)",
                                 .options = k_options,
                                 .reads_only = true,
                                 .build = build};

} // namespace rbarrier::commands
