// SPDX-License-Identifier: Apache-2.0
// The table of endings: each one's exit status and --json name.
#include "ending.hpp"

#include <csignal>

namespace rbarrier {

namespace {

struct Row {
  std::string_view name;
  ExitCode code;
};

// In the order of enum class Ending.
constexpr Row k_endings[] = {
    {"done", ExitCode::ok},
    {"released", ExitCode::ok},
    {"passed", ExitCode::ok},
    {"arrived", ExitCode::ok},
    {"reset", ExitCode::reset},
    {"aborted", ExitCode::aborted},
    {"broken", ExitCode::aborted},
    {"mismatch", ExitCode::mismatch},
    {"lost", ExitCode::state_lost},
    {"timeout", ExitCode::timeout},
    {"expired", ExitCode::timeout},
    {"interrupted", ExitCode::interrupted},
    {"terminated", ExitCode::terminated},
    {"failed", ExitCode::internal},
    {"error", ExitCode::internal},
};
static_assert(std::size(k_endings) == static_cast<std::size_t>(Ending::error) + 1);

} // namespace

ExitCode exit_code_of(Ending ending) { return k_endings[static_cast<int>(ending)].code; }

std::string_view json_name(Ending ending) { return k_endings[static_cast<int>(ending)].name; }

Ending ending_of_signal(int signo) {
  return signo == SIGINT ? Ending::interrupted : Ending::terminated;
}

Result stopped_by(int signo, std::string_view doing) {
  const Ending ending = ending_of_signal(signo);
  return {ending, std::string(json_name(ending)) + " while " + std::string(doing)};
}

} // namespace rbarrier
