// SPDX-License-Identifier: Apache-2.0
// --help, written from the table of subcommands and the global options.
#include "help.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace rbarrier::help {

namespace {

constexpr std::string_view k_about = "Meet other processes at a named barrier kept in Redis.";
constexpr std::string_view k_exit_statuses =
    "Exit status: 0 released (or done), 3 reset, 4 aborted or broken, 5 state lost, 6 no such "
    "barrier (status), 7 parties there (delete), 64 usage, 69 Redis unreachable, 75 Redis busy "
    "until the deadline, 77 "
    "authentication refused, 78 configuration mismatch, 124 timed out, 130/143 interrupted. See "
    "rbarrier(1).";
constexpr std::size_t k_indent = 2;
constexpr std::size_t k_column = 28; // where descriptions start

// `text` wrapped at `width` columns, starting at column `used`, each further line indented by
// `indent`.
std::string wrap(std::string_view text, std::size_t indent, std::size_t width, std::size_t used) {
  std::string out;
  std::size_t column = used;
  bool line_start = true;
  while (!text.empty()) {
    const auto space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (!line_start && column + 1 + word.size() > width) {
      out += '\n';
      out.append(indent, ' ');
      column = indent;
      line_start = true;
    }
    if (!line_start) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    line_start = false;
  }
  return out + '\n';
}

// "-t,--timeout" with "DUR" as "-t, --timeout DUR".
std::string label(const OptionSpec& option) {
  std::string names(option.names);
  for (auto comma = names.find(','); comma != std::string::npos; comma = names.find(',', comma)) {
    names.replace(comma, 1, ", ");
    comma += 2;
  }
  if (option.kind == OptionSpec::Kind::list) {
    return fmt::format("{} {} ...", names, option.value);
  }
  return option.value.empty() ? names : fmt::format("{} {}", names, option.value);
}

// One entry: its label, and its description from column k_column (or the next line).
std::string entry(std::string_view name, std::string_view description, std::size_t width) {
  std::string out(k_indent, ' ');
  out += name;
  if (out.size() + 2 > k_column) {
    out += '\n';
    out.append(k_column, ' ');
  } else {
    out.append(k_column - out.size(), ' ');
  }
  return out + wrap(description, k_column, width, k_column);
}

std::string options(std::span<const OptionSpec> specs, bool program, std::size_t width) {
  std::string out = "Options:\n" + entry("-h, --help", "print this help and exit", width);
  if (program) {
    out += entry("--version", "print the version and exit", width);
  }
  for (const auto& option : specs) {
    if (option.kind == OptionSpec::Kind::positional) {
      continue;
    }
    out += entry(label(option), option.help, width);
  }
  return out;
}

std::string program(std::size_t width) {
  std::string out = fmt::format("{}\nUsage: rbarrier [OPTIONS] SUBCOMMAND ...\n\n", k_about);
  out += options(global_options(), true, width);
  out += "\nSubcommands:\n";
  for (const auto* sub : subcommands()) {
    out += entry(sub->name, sub->summary, width);
  }
  return out + '\n' + wrap(k_exit_statuses, 0, width, 0);
}

std::string subcommand(const Subcommand& sub, std::size_t width) {
  std::string usage = fmt::format("rbarrier [OPTIONS] {} [OPTIONS]", sub.name);
  std::string arguments;
  for (const auto& option : sub.options) {
    if (option.kind == OptionSpec::Kind::positional) {
      const std::string shown = fmt::format("{}{}", option.names, option.many ? "..." : "");
      usage += option.optional ? " [" + shown + "]" : " " + shown;
      arguments += entry(option.names, option.help, width);
    }
  }
  if (sub.command == Subcommand::Command::optional) {
    usage += " [-- CMD [ARGS...]]";
  } else if (sub.command == Subcommand::Command::required) {
    usage += " -- CMD [ARGS...]";
  }
  std::string out = wrap(sub.summary, 0, width, 0);
  out += wrap(fmt::format("Usage: {}", usage), k_indent, width, 0) + '\n';
  if (!arguments.empty()) {
    out += "Arguments:\n" + arguments + '\n';
  }
  out += options(sub.options, false, width);
  if (!sub.footer.empty()) {
    out += '\n' + wrap(sub.footer, 0, width, 0);
  }
  return out;
}

} // namespace

std::string render(const Subcommand* sub, std::size_t width) {
  return sub ? subcommand(*sub, width) : program(width);
}

std::size_t terminal_width() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 40) {
    return std::min<std::size_t>(size.ws_col, 100);
  }
  return 80;
}

} // namespace rbarrier::help
