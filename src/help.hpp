// SPDX-License-Identifier: Apache-2.0
// --help, written from the table of subcommands and the global options.
#pragma once

#include <cstddef>
#include <string>

#include "subcommand.hpp"

// --help, written from the table of subcommands and their options.
namespace rbarrier::help {

// The help of the program (`sub` null) or of one subcommand, its lines at most `width` columns
// (a longer word alone excepted).
std::string render(const Subcommand* sub, std::size_t width);

// The width of the terminal on standard output, or 80 elsewhere; at most 100.
std::size_t terminal_width();

} // namespace rbarrier::help
