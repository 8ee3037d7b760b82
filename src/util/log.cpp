#include "util/log.hpp"

#include <cstdio>
#include <string>

namespace rbarrier::log {

namespace {

Level g_level = Level::normal;

void print(std::string_view message) {
  // One write per line, so that lines of parallel parties sharing a terminal do not interleave.
  std::string line = fmt::format("rbarrier: {}\n", message);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

} // namespace

void set_level(Level new_level) { g_level = new_level; }

Level level() { return g_level; }

void error(std::string_view message) { print(message); }

void warning(std::string_view message) {
  if (g_level != Level::quiet) {
    print(message);
  }
}

void verbose_line(std::string_view message) { print(message); }

} // namespace rbarrier::log
