// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "barrier.hpp"
#include "options.hpp"
#include "subcommand.hpp"

// One file per subcommand, each defining its Subcommand: its options, how they are built, and the
// function that runs it. That function returns the exit status with its one-line message (empty
// on success); failures of the connection and the server are thrown as rbarrier::Error.
namespace rbarrier::commands {

struct Result {
  int exit_code = 0;
  std::string message; // printed as "rbarrier: <message>" when not empty
};

// The exit status and message of an arrival the barrier refused (broken, or a --parties or --once
// that is not the barrier's); for wait and arrive.
Result refusal(const Arrival& arrival, const std::string& name, std::int64_t parties, bool once);

extern const Subcommand k_wait;
extern const Subcommand k_arrive;
extern const Subcommand k_await;
extern const Subcommand k_reset;
extern const Subcommand k_abort;
extern const Subcommand k_status;

} // namespace rbarrier::commands
