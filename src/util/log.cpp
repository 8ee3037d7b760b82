#include "util/log.hpp"

#include <cstdio>
#include <string>

namespace rbarrier::log {

namespace {

Level g_level = Level::normal;
std::string g_termination_log;

void print(std::string_view message) {
  // One write per line, so that lines of parallel parties sharing a terminal do not interleave.
  std::string line = fmt::format("rbarrier: {}\n", message);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

} // namespace

void set_level(Level new_level) { g_level = new_level; }

Level level() { return g_level; }

void error(std::string_view message) {
  print(message);
  if (!g_termination_log.empty()) {
    if (std::FILE* file = std::fopen(g_termination_log.c_str(), "w")) {
      const std::string line = fmt::format("rbarrier: {}\n", message);
      std::fwrite(line.data(), 1, line.size(), file);
      std::fclose(file);
    } else {
      print(fmt::format("cannot write the termination log \"{}\"", g_termination_log));
    }
  }
}

void set_termination_log(std::string path) { g_termination_log = std::move(path); }

void warning(std::string_view message) {
  if (g_level != Level::quiet) {
    print(message);
  }
}

void verbose_line(std::string_view message) { print(message); }

} // namespace rbarrier::log
