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

// Options that several subcommands take, with one help text each.
inline constexpr OptionSpec k_name_option{"NAME", OptionSpec::Kind::positional, "",
                                          "the barrier's name"};
inline constexpr OptionSpec k_parties_option{"-n,--parties", OptionSpec::Kind::required, "N",
                                             "how many parties meet (the first arrival fixes it)"};
inline constexpr OptionSpec k_id_option{
    "--id", OptionSpec::Kind::value, "ID",
    "this party's member id; arriving twice with one id counts once (default host:pid:random)"};
inline constexpr OptionSpec k_once_option{
    "--once", OptionSpec::Kind::flag, "",
    "latch: after the first release later arrivals pass at once"};
inline constexpr OptionSpec k_timeout_option{"-t,--timeout", OptionSpec::Kind::value, "DUR",
                                             "give up after DUR (0, the default: wait for ever)"};

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
