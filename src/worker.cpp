// SPDX-License-Identifier: Apache-2.0
// A party that runs a command under a lease: run's, a barrier action's, once's runner.
#include "worker.hpp"

#include <csignal>
#include <cstring>
#include <fmt/format.h>
#include <poll.h>

#include "util/log.hpp"
#include "util/signals.hpp"
#include "util/text.hpp"

namespace rbarrier {

Worker::Worker(const GlobalOptions& global, const std::string& name, Deadline deadline,
               Duration lease, Duration grace, bool let_finish)
    : Party(global, name, deadline, false), m_interval(std::min(lease / 3, k_max_check_interval)),
      m_grace(grace), m_let_finish(let_finish) {
  signals::watch_children(); // the command's end interrupts waits, as a signal does
}

bool Worker::read_events(Deadline until, Deadline deadline) {
  const auto batch = m_events.next(until, deadline);
  bool check = batch.reconnected;
  for (const auto& event : batch.events) {
    if (event.token != m_token) {
      check = true; // another instance of the barrier: only the stored state tells
    } else if (event.kind == Event::Kind::entered && event.generation == m_generation) {
      on_entered(event.count);
    } else if (event.kind == Event::Kind::last_call && event.generation == m_generation) {
      called(event.closes_in);
    } else if (event.kind == Event::Kind::reset || event.kind == Event::Kind::aborted ||
               event.kind == Event::Kind::expired || event.kind == Event::Kind::deleted) {
      check = true; // it ended this party's work, unless it was of another generation
    }
  }
  return check;
}

Entry Worker::renew_entry(const Shape& shape, Duration lease, Deadline deadline) {
  return m_session.run(
      [&](redis::Connection& connection, Deadline attempt) {
        return m_barrier.enter(connection, m_id, shape, lease, m_token, "", m_generation, attempt);
      },
      deadline);
}

std::optional<Result> Worker::no_longer_working(const Entry& renewal) {
  switch (renewal.status) {
  case Entry::Status::working:
  case Entry::Status::entered:
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

std::optional<Result> Worker::run_command(const std::vector<std::string>& argv) {
  m_program = argv[0];
  try {
    m_command.emplace(argv);
  } catch (const SpawnError& error) {
    return failed(error.exit_status(),
                  fmt::format("cannot run {}: {}", quote(argv[0]), std::strerror(error.error)));
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
  log::verbose("{} succeeded", quote(m_program));
  return std::nullopt;
}

Result Worker::stop(Result why) {
  if (m_let_finish) {
    log::verbose("letting {} finish", quote(m_program));
    wait_command(k_never);
  } else {
    m_command->signal(SIGTERM);
    if (!wait_command(Clock::now() + m_grace)) {
      log::verbose("{} did not end within {} of SIGTERM: sending SIGKILL", quote(m_program),
                   format_duration(m_grace));
      m_command->signal(SIGKILL);
      wait_command(k_never);
    }
  }
  why.message +=
      fmt::format("; {} {}", quote(m_program), describe_wait_status(*m_command->ended()));
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

} // namespace rbarrier
