// SPDX-License-Identifier: Apache-2.0
// The party that runs its generation's barrier action (--action) before the release.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "waiter.hpp"
#include "worker.hpp"

namespace rbarrier {

// A waiting party whose arrival (or check) completed a generation of a barrier with an action:
// it runs the action (`/bin/sh -c ACTION`) as a working party of that generation, under its
// lease, with the generation's RBARRIER_* in its environment, while the others wait. Success
// releases the generation; a failure, or its lease lapsing, aborts it, naming the action.
class Actor : public Worker {
public:
  Actor(const GlobalOptions& global, const WaitOptions& options, const std::string& id,
        std::int64_t generation, const std::string& token, std::int64_t parties,
        StreamPositions from);

  // nullopt when the action succeeded (then released() says whether that released the
  // generation, with how many: parties(); else the party waits for its outcome as before); else
  // how the party ends.
  std::optional<Result> act();
  bool released() const { return m_released; }
  std::int64_t parties() const { return m_parties; }
  // Why the generation was not released, for the party's --json.
  const std::string& reason() const { return m_report.reason; }

private:
  std::optional<Result> renew(Deadline deadline) override;
  // Aborts the generation with the reason "<id>: action "ACTION" <failure>".
  Result failed(int exit_code, const std::string& failure) override;
  // A signal or a timeout outside the action's run: not expected (the action is never cut short
  // by --timeout, and signals go to it).
  Result on_timeout() override;
  Result on_signal(int signo) override;
  std::string_view doing() const override { return "running the barrier action"; }

  const WaitOptions& m_options;
  bool m_released = false;
};

} // namespace rbarrier
