// SPDX-License-Identifier: Apache-2.0
// A party that waits for an outcome: events and checks, progress, the command after a release.
#include "watcher.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <unistd.h>

#include "output.hpp"
#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"

namespace rbarrier {

Watcher::Watcher(const GlobalOptions& global, const std::string& name,
                 const std::vector<std::string>& command, Deadline deadline, std::string_view live,
                 bool json, Session* shared)
    // Arrivals and departures only for someone who shows them: at N parties they are N events.
    : Party(global, name, deadline, log::live_enabled() || log::level() == log::Level::verbose,
            shared),
      m_command(command), m_started(Clock::now()), m_live(log::live_enabled() && !live.empty()),
      m_doing(live), m_json(json) {}

Result Watcher::run() {
  const Result result = framed([&] {
    auto decided = begin();
    return decided ? *decided : wait_for_outcome();
  });
  log::end_live();
  if (m_json) {
    print_report(result.ending);
  }
  return result;
}

std::optional<Result> Watcher::begin() {
  auto decided = start();
  m_next_check = Clock::now() + check_interval();
  return decided;
}

Result Watcher::wait_for_outcome() {
  for (;;) {
    if (Clock::now() >= m_deadline) {
      return on_timeout();
    }
    const auto batch = m_events.next(std::min({due(), m_deadline, next_tick()}), m_deadline);
    if (auto result = take(batch)) {
      return *result;
    }
  }
}

Deadline Watcher::due() const {
  // The end of a last call or a deadline is decided by the check that finds it passed.
  return std::min(m_next_check, m_wake);
}

std::optional<Result> Watcher::take(const EventStream::Batch& batch) {
  // Time to check (for a waiting party, to renew its lease), a reconnection (after which only
  // the stored state is sure), or an event not ours (of another generation or instance, which
  // only a check can tell about).
  bool check_now = batch.reconnected || Clock::now() >= due();
  for (const auto& event : batch.events) {
    if (event.generation != m_generation || !ours(event)) {
      check_now = true;
    } else if (auto result = on_event(event)) {
      return result;
    }
  }
  if (!check_now || Clock::now() >= m_deadline) { // past it, the deadline ends the party
    show_progress(); // a second more on the live line
    return std::nullopt;
  }
  if (auto result = check()) {
    return result;
  }
  m_next_check = Clock::now() + check_interval();
  if (!m_checked) {
    // Waiting longer than a moment: learn where else to look should the master of the barrier's
    // slot crash.
    m_checked = true;
    m_session.learn_cluster(m_deadline);
  }
  return std::nullopt;
}

std::optional<Result> Watcher::on_event(const Event& event) {
  if (event.parties > 0) { // an outcome's: the generation's own (await saw none before it)
    m_parties = event.parties;
  }
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
  case Event::Kind::expired:
    return on_decision({Outcome::expired, event.reason});
  case Event::Kind::last_call:
    called(event.closes_in);
    counted(event.count, event.parties);
    return std::nullopt;
  case Event::Kind::deleted:
    return lost("deleted", doing());
  case Event::Kind::entered:
  case Event::Kind::working: // a working party: not a member to count
    break;
  }
  return std::nullopt;
}

Result Watcher::on_decision(const Decision& decision) {
  return decision.outcome == Outcome::released ? released() : ended_by(decision);
}

void Watcher::counted(std::int64_t count, std::int64_t parties) {
  if (count != m_count) {
    log::verbose("barrier {}: {}/{} arrived", name(), count, parties);
  }
  m_count = count;
  m_parties = parties;
  show_progress();
}

void Watcher::show_progress() const {
  if (!m_live) {
    return;
  }
  log::live(fmt::format("{} barrier {}: {}, {}{}", m_doing, name(), progress(),
                        waited_text(m_started),
                        m_timing.closes_in && m_wake != k_never ? ", last call" : ""));
}

std::string Watcher::progress() const {
  return fmt::format("{}/{} arrived", m_count, parties_text(m_timing.fewest(m_parties), m_parties));
}

std::string waited_text(Deadline since) {
  const auto waited = std::chrono::floor<std::chrono::seconds>(Clock::now() - since);
  return waited.count() == 0 ? "0s" : format_duration(waited);
}

Deadline next_second(Deadline since) {
  using std::chrono::seconds;
  return since + std::chrono::floor<seconds>(Clock::now() - since) + seconds(1);
}

Deadline Watcher::next_tick() const { return m_live ? next_second(m_started) : k_never; }

Result Watcher::released(bool roster, Ending how) {
  log::verbose("barrier {} released (generation {})", name(), m_generation);
  const bool run = !m_command.empty() && !m_signalled;
  if (roster && (m_json || run)) {
    m_report.members =
        read_roster(m_session, m_barrier, m_generation, m_name, m_global.server.connect_timeout);
  }
  if (!run) {
    return {how, {}};
  }
  export_release();
  log::end_live();
  if (m_json) { // now: the command takes this process's place
    print_report(how);
    m_json = false;
  }
  return exec_after(m_command, "barrier " + name());
}

Result exec_after(const std::vector<std::string>& command, std::string_view released) {
  std::vector<char*> argv;
  for (const auto& arg : command) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  const int error = errno;
  return {Ending::error, error == ENOENT ? 127 : 126,
          fmt::format("cannot run {} after {} released: {}", quote(command[0]), released,
                      std::strerror(error))};
}

Report Watcher::report(Ending ending) const {
  Report report = m_report;
  report.outcome = ending;
  report.generation = m_generation;
  report.parties = m_parties;
  if (!m_id.empty()) {
    report.id = m_id;
  }
  return report;
}

void Watcher::print_report(Ending ending) { print(report(ending)); }

void Watcher::export_release() const {
  std::optional<std::vector<std::string>> ids;
  if (m_report.members) {
    ids.emplace();
    for (const auto& member : *m_report.members) {
      ids->push_back(member.id);
    }
  }
  export_party(m_name, m_generation, m_parties, m_id, ids);
}

void export_party(const std::string& name, std::int64_t generation, std::int64_t parties,
                  const std::string& id, const std::optional<std::vector<std::string>>& members,
                  std::string_view suffix) {
  const auto set = [&](std::string_view variable, const std::string& value) {
    ::setenv(fmt::format("RBARRIER_{}{}", variable, suffix).c_str(), value.c_str(), 1);
  };
  set("NAME", name);
  set("GENERATION", std::to_string(generation));
  set("PARTIES", std::to_string(parties));
  if (!id.empty()) {
    set("ID", id);
  }
  if (!members) {
    return;
  }
  std::string ids;
  for (std::size_t rank = 0; rank < members->size(); ++rank) {
    if ((*members)[rank] == id) {
      set("RANK", std::to_string(rank));
    }
    ids += (*members)[rank] + "\n";
  }
  // Linux refuses an exec whose one variable ("NAME=value\0") is longer than 128 KiB
  // (MAX_ARG_STRLEN).
  const std::string variable = fmt::format("RBARRIER_MEMBERS{}", suffix);
  if (variable.size() + sizeof("=") + ids.size() >= 128 * 1024) {
    log::warning(fmt::format("{} is not set: the {} ids take {} bytes, more than an environment "
                             "variable may; use --json",
                             variable, members->size(), ids.size()));
    return;
  }
  set("MEMBERS", ids);
}

} // namespace rbarrier
