// SPDX-License-Identifier: Apache-2.0
// Diagnostics on stderr: errors, warnings, -v lines and the live line on a terminal.
#include "util/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/text.hpp"

namespace rbarrier::log {

namespace {

constexpr std::string_view k_erase = "\r\033[K"; // to column 0, clear to the end of the line

Level g_level = Level::normal;
std::string g_termination_log;
std::string g_live; // the live line shown now, or empty

void write_stderr(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

bool terminal() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDERR_FILENO) == 1 && term != nullptr && std::string_view(term) != "dumb";
}

// The line cut to the terminal's width (in bytes, which is never fewer than columns), not inside
// a UTF-8 character: a line that wrapped could not be erased.
std::string fit(std::string_view line) {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1 &&
      line.size() >= size.ws_col) {
    std::size_t end = size.ws_col - 1;
    while (end > 0 && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) {
      --end;
    }
    return std::string(line.substr(0, end));
  }
  return std::string(line);
}

// What may reach a terminal or a log of what rbarrier was given: no credentials, no controls.
std::string printable(std::string_view text) { return escape_controls(mask_credentials(text)); }

std::string as_line(std::string_view message) {
  return fmt::format("rbarrier: {}\n", printable(message));
}

// One write per line, so that lines of parallel parties sharing a terminal do not interleave;
// the live line is erased first, and drawn again below unless `last`.
// The message's control characters are escaped: it stays one line whatever text it carries.
void print(std::string_view message, bool last = false) {
  std::string text = g_live.empty() ? std::string() : std::string(k_erase);
  text += as_line(message);
  if (last) {
    g_live.clear();
  }
  text += g_live;
  write_stderr(text);
}

} // namespace

void set_level(Level new_level) { g_level = new_level; }

Level level() { return g_level; }

void error(std::string_view message) {
  // A warning, if any, comes first: the line that explains the exit is always the last.
  if (!g_termination_log.empty()) {
    bool written = false;
    if (std::FILE* file = std::fopen(g_termination_log.c_str(), "w")) {
      const std::string text = as_line(message);
      written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
      written = std::fclose(file) == 0 && written;
    }
    if (!written) {
      warning(fmt::format("cannot write the termination log {}", quote(g_termination_log)));
    }
  }
  print(message, true);
}

void set_termination_log(std::string path) { g_termination_log = std::move(path); }

bool live_enabled() { return g_level == Level::normal && terminal(); }

void live(std::string_view line) {
  if (!live_enabled()) {
    return;
  }
  g_live = fit(fmt::format("rbarrier: {}", printable(line)));
  write_stderr(std::string(k_erase) + g_live);
}

void end_live() {
  if (!g_live.empty()) {
    g_live.clear();
    write_stderr(k_erase);
  }
}

void warning(std::string_view message) {
  if (g_level != Level::quiet) {
    print(message);
  }
}

void verbose_line(std::string_view message) { print(message); }

} // namespace rbarrier::log
