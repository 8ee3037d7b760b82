// SPDX-License-Identifier: Apache-2.0
// A waiting party: wait's, and run's once its command succeeded.
#pragma once

#include "watcher.hpp"

namespace rbarrier {

// What a waiting party is told: wait's options, and those run's party waits with.
enum class OnTimeout { leave, abort };

struct WaitOptions {
  std::string name;
  Shape shape; // --parties (MIN:MAX), --last-call, --once, --members, --rank-by, --deadline
  std::vector<std::string> members; // --members: the expected ids; empty: any
  std::string data; // --data; empty: none
  bool json = false; // print the outcome as JSON
  std::optional<Duration> timeout; // none: for ever (no --timeout, or the literal 0)
  std::optional<std::string> id;
  Duration lease = std::chrono::seconds(30);
  OnTimeout on_timeout = OnTimeout::leave;
  std::vector<std::string> command; // after "--"
  std::string action; // --action: run by sh -c before each release; empty: none
};

// One party waiting at a barrier: the waiter of PROTOCOL.md ("A waiting party").
class Waiter : public Watcher {
public:
  // With `from_work`, a party of run whose command succeeded: its arrival ends its work.
  Waiter(const GlobalOptions& global, const WaitOptions& options,
         std::optional<Work> from_work = std::nullopt);

private:
  // Arrives: the outcome of the arrival, or nullopt when the party must wait.
  std::optional<Result> start() override;
  Duration check_interval() const override {
    return std::min(m_options.lease / 3, k_max_check_interval);
  }
  // Polls (which renews the lease); nullopt while undecided.
  std::optional<Result> check() override;
  std::optional<Result> on_check(const Check& result);
  // This party's arrival or check completed its generation: it runs the barrier action (Actor),
  // then is released with the others.
  // nullopt: its outcome is still to come.
  std::optional<Result> act(std::int64_t count);
  Result on_timeout() override;
  // The --members not present now, sorted (one command).
  std::vector<std::string> missing();
  // Those of `missing` (sorted) that arrived in this generation and left it.
  std::vector<std::string> left_of(const std::vector<std::string>& missing);
  // For the timeout's message: who is missing, and who of them left.
  std::string absent() const;
  Result on_signal(int signo) override;
  std::string_view doing() const override { return "waiting"; }
  Deadline grace() const;

  const WaitOptions& m_options;
  std::string m_nonce;
  std::optional<Work> m_from_work;
  bool m_arrived = false; // the server counted this party
};

} // namespace rbarrier
