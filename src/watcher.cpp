// SPDX-License-Identifier: Apache-2.0
#include "watcher.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <unistd.h>

#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier {

using commands::Result;

Watcher::Watcher(const GlobalOptions& global, const std::string& name,
                 const std::vector<std::string>& command, Deadline deadline, std::string_view doing)
    : m_global(global), m_name(name), m_command(command), m_session(global),
      m_barrier(global.prefix, name, global.ttl), m_deadline(deadline),
      // Arrivals and departures only for someone who shows them: at N parties they are N events.
      m_events(m_session, m_barrier.keys(),
               log::live_enabled() || log::level() == log::Level::verbose),
      m_started(Clock::now()), m_live(log::live_enabled()), m_doing(doing) {}

std::string Watcher::name() const { return quote(m_name); }

Result Watcher::run() {
  Result result;
  try {
    try {
      auto decided = start();
      result = decided ? *decided : wait_for_outcome();
    } catch (const TimeoutError&) {
      // The server stopped answering and the deadline came: still a timeout, not unreachable.
      if (Clock::now() < m_deadline) {
        throw;
      }
      result = on_timeout();
    }
  } catch (const Interrupted& interrupted) {
    m_stopping = true;
    result = on_signal(interrupted.signo);
  }
  log::end_live();
  return result;
}

Result Watcher::wait_for_outcome() {
  const Duration interval = check_interval();
  Deadline next_check = Clock::now() + interval;
  bool checked = false;
  for (;;) {
    if (Clock::now() >= m_deadline) {
      return on_timeout();
    }
    const auto batch = m_events.next(std::min({next_check, m_deadline, next_tick()}), m_deadline);
    // Time to check (for a waiting party, to renew its lease), a reconnection (after which only
    // the stored state is sure), or an event not ours (of another generation or instance, which
    // only a check can tell about).
    bool check_now = batch.reconnected || Clock::now() >= next_check;
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
    next_check = Clock::now() + interval;
    if (!checked) {
      // Waiting longer than a moment: learn where else to look should the master of the
      // barrier's slot crash.
      checked = true;
      m_session.learn_cluster(m_deadline);
    }
  }
}

std::optional<Result> Watcher::on_event(const Event& event) {
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

Result Watcher::on_decision(const Decision& decision) {
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
  log::live(fmt::format("{} barrier {}: {}/{} arrived, {}", m_doing, name(), m_count, m_parties,
                        waited.count() == 0 ? "0s" : format_duration(waited)));
}

Deadline Watcher::next_tick() const {
  if (!m_live) {
    return k_never;
  }
  using std::chrono::seconds;
  return m_started + std::chrono::floor<seconds>(Clock::now() - m_started) + seconds(1);
}

Result Watcher::released() {
  log::verbose("barrier {} released (generation {})", name(), m_generation);
  if (m_command.empty() || m_stopping) {
    return {to_int(ExitCode::ok), {}};
  }
  ::setenv("RBARRIER_NAME", m_name.c_str(), 1);
  ::setenv("RBARRIER_GENERATION", std::to_string(m_generation).c_str(), 1);
  ::setenv("RBARRIER_PARTIES", std::to_string(m_parties).c_str(), 1);
  if (!m_id.empty()) {
    ::setenv("RBARRIER_ID", m_id.c_str(), 1);
  }
  std::vector<char*> argv;
  for (const auto& arg : m_command) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  log::end_live();
  ::execvp(argv[0], argv.data());
  const int error = errno;
  return {error == ENOENT ? 127 : 126,
          fmt::format("cannot run {} after barrier {} released: {}", quote(m_command[0]), name(),
                      std::strerror(error))};
}

} // namespace rbarrier
