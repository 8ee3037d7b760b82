// SPDX-License-Identifier: Apache-2.0
// Diagnostics on stderr: errors, warnings, -v lines and the live line on a terminal.
#pragma once

#include <fmt/format.h>
#include <string>
#include <string_view>

// Diagnostics on stderr, each line "rbarrier: ...". Results go to stdout, never through here.
namespace rbarrier::log {

enum class Level { quiet, normal, verbose };

void set_level(Level level);
Level level();

// Always printed, also with --quiet: the one line that explains a non-zero exit. Also written
// to the termination log, when there is one.
void error(std::string_view message);

// --termination-log: a file that error() writes its line to (as Kubernetes reads
// /dev/termination-log), replacing what it held.
void set_termination_log(std::string path);
// The live line: on a terminal, at the normal level, one line at the bottom of stderr that
// each call replaces (wait's progress). Other messages are printed above it.
bool live_enabled();
void live(std::string_view line);
// Erases the live line, if one is shown.
void end_live();

// Printed unless --quiet.
void warning(std::string_view message);
// Printed with --verbose only.
void verbose_line(std::string_view message);

template <typename... Args> void verbose(fmt::format_string<Args...> format, Args&&... args) {
  if (level() == Level::verbose) {
    verbose_line(fmt::format(format, std::forward<Args>(args)...));
  }
}

} // namespace rbarrier::log
