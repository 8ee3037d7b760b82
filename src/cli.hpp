// SPDX-License-Identifier: Apache-2.0
// The command line parsed into an Invocation, or --help and --version answered.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "options.hpp"
#include "subcommand.hpp"

// The command line: the only place that knows CLI11. What it parses comes from the table of
// subcommands (subcommand.hpp).
namespace rbarrier::cli {

struct Parsed {
  std::optional<Invocation> invocation; // unset after --help or --version
  int exit_code = 0;
};

// Parses `args` (without the program name). Throws UsageError for anything invalid; prints
// --help and --version to `out`.
Parsed parse(const std::vector<std::string>& args, const Environment& environment,
             std::ostream& out);

} // namespace rbarrier::cli
