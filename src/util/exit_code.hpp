// SPDX-License-Identifier: Apache-2.0
// The exit statuses of the manual (EXIT STATUS).
#pragma once

// The exit statuses of the manual (EXIT STATUS): the one table every outcome maps to.
namespace rbarrier {

enum class ExitCode : int {
  ok = 0,
  internal = 1,
  reset = 3,
  aborted = 4,
  state_lost = 5,
  no_such_barrier = 6,
  busy = 7, // delete without --force: parties wait or work
  usage = 64,
  unreachable = 69,
  transient = 75,
  auth = 77,
  mismatch = 78,
  timeout = 124,
  interrupted = 130, // SIGINT; SIGTERM is 143
  terminated = 143,
};

constexpr int to_int(ExitCode code) { return static_cast<int>(code); }

} // namespace rbarrier
