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
                 bool json)
    // Arrivals and departures only for someone who shows them: at N parties they are N events.
    : Party(global, name, deadline, log::live_enabled() || log::level() == log::Level::verbose),
      m_command(command), m_started(Clock::now()), m_live(log::live_enabled()), m_doing(live),
      m_json(json) {}

Result Watcher::run() {
  const Result result = framed([&] {
    auto decided = start();
    return decided ? *decided : wait_for_outcome();
  });
  log::end_live();
  if (m_json) {
    print_report(result.ending);
  }
  return result;
}

Result Watcher::wait_for_outcome() {
  Deadline next_check = Clock::now() + check_interval();
  bool checked = false;
  for (;;) {
    if (Clock::now() >= m_deadline) {
      return on_timeout();
    }
    // The end of a last call or a deadline is decided by the check that finds it passed.
    const Deadline check_at = std::min(next_check, m_wake);
    const auto batch = m_events.next(std::min({check_at, m_deadline, next_tick()}), m_deadline);
    // Time to check (for a waiting party, to renew its lease), a reconnection (after which only
    // the stored state is sure), or an event not ours (of another generation or instance, which
    // only a check can tell about).
    bool check_now = batch.reconnected || Clock::now() >= std::min(next_check, m_wake);
    for (const auto& event : batch.events) {
      if (event.generation != m_generation || !ours(event)) {
        check_now = true;
      } else if (auto result = on_event(event)) {
        return *result;
      }
    }
    if (Clock::now() >= m_deadline) {
      return on_timeout();
    }
    if (!check_now) {
      show_progress(); // a second more on the live line
      continue;
    }
    if (auto result = check()) {
      return *result;
    }
    next_check = Clock::now() + check_interval();
    if (!checked) {
      // Waiting longer than a moment: learn where else to look should the master of the
      // barrier's slot crash.
      checked = true;
      m_session.learn_cluster(m_deadline);
    }
  }
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
  const auto waited = std::chrono::floor<std::chrono::seconds>(Clock::now() - m_started);
  log::live(fmt::format("{} barrier {}: {}/{} arrived, {}{}", m_doing, name(), m_count,
                        parties_text(m_timing.fewest(m_parties), m_parties),
                        waited.count() == 0 ? "0s" : format_duration(waited),
                        m_timing.closes_in && m_wake != k_never ? ", last call" : ""));
}

Deadline Watcher::next_tick() const {
  if (!m_live) {
    return k_never;
  }
  using std::chrono::seconds;
  return m_started + std::chrono::floor<seconds>(Clock::now() - m_started) + seconds(1);
}

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
  std::vector<char*> argv;
  for (const auto& arg : m_command) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  log::end_live();
  if (m_json) { // now: the command takes this process's place
    print_report(how);
    m_json = false;
  }
  ::execvp(argv[0], argv.data());
  const int error = errno;
  return {Ending::error, error == ENOENT ? 127 : 126,
          fmt::format("cannot run {} after barrier {} released: {}", quote(m_command[0]), name(),
                      std::strerror(error))};
}

void Watcher::print_report(Ending ending) {
  m_report.outcome = ending;
  m_report.generation = m_generation;
  m_report.parties = m_parties;
  if (!m_id.empty()) {
    m_report.id = m_id;
  }
  print(m_report);
}

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
                  const std::string& id, const std::optional<std::vector<std::string>>& members) {
  ::setenv("RBARRIER_NAME", name.c_str(), 1);
  ::setenv("RBARRIER_GENERATION", std::to_string(generation).c_str(), 1);
  ::setenv("RBARRIER_PARTIES", std::to_string(parties).c_str(), 1);
  if (!id.empty()) {
    ::setenv("RBARRIER_ID", id.c_str(), 1);
  }
  if (!members) {
    return;
  }
  std::string ids;
  for (std::size_t rank = 0; rank < members->size(); ++rank) {
    if ((*members)[rank] == id) {
      ::setenv("RBARRIER_RANK", std::to_string(rank).c_str(), 1);
    }
    ids += (*members)[rank] + "\n";
  }
  // Linux refuses an exec whose one variable is longer than 128 KiB (MAX_ARG_STRLEN).
  constexpr std::size_t k_max_variable = 128 * 1024 - sizeof("RBARRIER_MEMBERS=");
  if (ids.size() >= k_max_variable) {
    log::warning(fmt::format("RBARRIER_MEMBERS is not set: the {} ids take {} bytes, more than "
                             "an environment variable may; use --json",
                             members->size(), ids.size()));
    return;
  }
  ::setenv("RBARRIER_MEMBERS", ids.c_str(), 1);
}

} // namespace rbarrier
