// SPDX-License-Identifier: Apache-2.0
// A party that runs a command under a lease: run's, a barrier action's, once's runner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "party.hpp"
#include "util/child.hpp"

namespace rbarrier {

// A party whose command runs under a lease it renews: a working party of run, the party that runs
// its generation's barrier action, and the runner of once. While the command runs, the party
// reads the barrier's events and renews its lease every `interval`, and stops the command as soon
// as a renewal says its work is over; SIGINT and SIGTERM are passed on to the command. What a
// renewal is, and what a failure does to the barrier, is each kind's own.
class Worker : public Party {
protected:
  // `grace`: between SIGTERM and SIGKILL when the command must stop; with `let_finish`, it is
  // left to finish instead.
  Worker(const GlobalOptions& global, const std::string& name, Deadline deadline, Duration lease,
         Duration grace, bool let_finish);

  // Runs `argv` (the environment set already) until it ends: nullopt when it exited 0 and no
  // SIGINT or SIGTERM came meanwhile; else the result of failed(), or, once a renewal said the
  // work is over, that result with how the command ended.
  std::optional<Result> run_command(const std::vector<std::string>& argv);
  // Renews the lease: nullopt while the party works, else why it must stop.
  virtual std::optional<Result> renew(Deadline deadline) = 0;
  // The command failed (`failure`: "exited 7", "killed by SIGSEGV", "cannot run ...", or the
  // signal's ending) or the party was told to stop: what that does to the barrier, and the
  // party's result, exiting with `exit_code`.
  virtual Result failed(int exit_code, const std::string& failure) = 0;
  // A working party of a barrier (run's, an action's) renews its entry in its generation.
  Entry renew_entry(const Shape& shape, Duration lease, Deadline deadline);
  // What a renewal that says the party no longer works (broken, stopped, lost) ends it with;
  // nullopt while it works.
  std::optional<Result> no_longer_working(const Entry& renewal);
  // An `entered` event of the party's generation: all `count` parties entered.
  virtual void on_entered(std::int64_t /*count*/) {}
  // Reads the barrier's events until `until`: true when one says the party must check the
  // stored state (the barrier broke, was reset, or the read reconnected).
  bool read_events(Deadline until, Deadline deadline);
  bool working() const { return m_command.has_value(); }

  const Duration m_interval; // between renewals

private:
  // The command ended with wait status `status`.
  std::optional<Result> ended(int status);
  // Stops the command (or lets it finish), then `why`.
  Result stop(Result why);
  // Waits until the command ended or `deadline`; true when it ended.
  bool wait_command(Deadline deadline);
  // Passes SIGINT and SIGTERM on to the command, and notes the first.
  void pass_signals();

  const Duration m_grace;
  const bool m_let_finish;
  std::optional<Child> m_command;
  std::string m_program; // the command's name, for messages
  int m_signal = 0; // the first SIGINT or SIGTERM received while working
};

} // namespace rbarrier
