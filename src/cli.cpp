// SPDX-License-Identifier: Apache-2.0
// The command line: CLI11 registers what the table of subcommands says, and Values come out.
#include "cli.hpp"

#include <algorithm>
#include <cctype>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <ostream>

#include "help.hpp"
#include "version.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace rbarrier::cli {

namespace {

// CLI11 spends some 13,000 instructions on each option it is told of, and more on each
// subcommand: with thirty options, most of a waiting party's start-up. So a subcommand is
// registered only when the command line names it, and an option only when the command line may
// name it (all of them to diagnose an error). Registering one too many is harmless, so the test is
// generous: a token "--long" or "--long=...", or, for a short name, any "-xyz" holding its
// letter. Each method returns nullptr for what it did not register, and for an option of a
// subcommand that it did not register.
class Registrar {
public:
  Registrar(const std::vector<std::string>& args, bool all) : m_args(args), m_all(all) {}

  CLI::App* command(CLI::App& app, const std::string& name) {
    const bool named = m_all || std::find(m_args.begin(), m_args.end(), name) != m_args.end();
    return named ? app.add_subcommand(name) : nullptr;
  }

  template <typename T> CLI::Option* option(CLI::App* app, const std::string& names, T& value) {
    return app && mentioned(names) ? app->add_option(names, value) : nullptr;
  }

  // A positional: always registered with its subcommand, so that CLI11 says when it is missing.
  template <typename T> CLI::Option* required(CLI::App* app, const std::string& names, T& value) {
    return app ? app->add_option(names, value)->required() : nullptr;
  }
  // One that may be omitted.
  template <typename T> CLI::Option* positional(CLI::App* app, const std::string& names, T& value) {
    return app ? app->add_option(names, value) : nullptr;
  }

  CLI::Option* flag(CLI::App* app, const std::string& names, bool& value) {
    return app && mentioned(names) ? app->add_flag(names, value) : nullptr;
  }

private:
  bool mentioned(std::string_view names) const {
    if (m_all) {
      return true;
    }
    while (!names.empty()) {
      const auto comma = names.find(',');
      const std::string_view name = names.substr(0, comma);
      names.remove_prefix(comma == std::string_view::npos ? names.size() : comma + 1);
      for (const std::string_view arg : m_args) {
        const bool named =
            name.starts_with("--")
                ? arg.starts_with(name) && (arg.size() == name.size() || arg[name.size()] == '=')
                : arg.size() > 1 && arg[0] == '-' && arg[1] != '-' &&
                      arg.find(name[1], 1) != std::string_view::npos;
        if (named) {
          return true;
        }
      }
    }
    return false;
  }

  const std::vector<std::string>& m_args;
  bool m_all;
};

// Where CLI11 puts what the command line gives one option.
struct Slot {
  const OptionSpec* spec = nullptr;
  CLI::Option* option = nullptr; // null when not registered
  std::string value;
  std::vector<std::string> list;
  bool flag = false;
};

// Registers `specs` with `app` (as far as `reg` does), into slots that must not move after.
std::vector<Slot> add_options(Registrar& reg, CLI::App* app, std::span<const OptionSpec> specs) {
  std::vector<Slot> slots(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Slot& slot = slots[i];
    slot.spec = &specs[i];
    const std::string names(slot.spec->names);
    switch (slot.spec->kind) {
    case OptionSpec::Kind::flag:
      slot.option = reg.flag(app, names, slot.flag);
      break;
    case OptionSpec::Kind::value:
      slot.option = reg.option(app, names, slot.value);
      break;
    case OptionSpec::Kind::list:
      slot.option = reg.option(app, names, slot.list);
      break;
    case OptionSpec::Kind::positional:
      if (slot.spec->many) {
        slot.option = reg.required(app, names, slot.list);
      } else {
        slot.option = slot.spec->optional ? reg.positional(app, names, slot.value)
                                          : reg.required(app, names, slot.value);
      }
      break;
    }
  }
  return slots;
}

Values collect(const std::vector<Slot>& slots) {
  Values values;
  for (const auto& slot : slots) {
    if (slot.option == nullptr || slot.option->count() == 0) {
      continue;
    }
    const auto key = slot.spec->key();
    if (slot.spec->kind == OptionSpec::Kind::list || slot.spec->many) {
      for (const auto& value : slot.list) {
        values.add(key, value);
      }
    } else {
      values.add(key, slot.spec->kind == OptionSpec::Kind::flag ? std::string() : slot.value);
    }
  }
  return values;
}

// The long option names of `app` ("--url"), without its subcommands'.
std::vector<std::string> long_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) {
      names.push_back("--" + name);
    }
  }
  return names;
}

// What a failed parse found wrong, from the app with every subcommand and option registered:
// an unknown subcommand or option by its name, with the likeliest one meant, or the first
// argument too many; else CLI11's words.
std::string diagnose(const CLI::App& app, const std::vector<std::string>& args,
                     const CLI::ParseError& error) {
  const auto subcommands = app.get_subcommands([](const CLI::App*) { return true; });
  const auto parsed = app.get_subcommands();
  const CLI::App* sub = parsed.empty() ? nullptr : parsed.front();
  auto extras = app.remaining(true);
  if (extras.empty()) {
    return error.what();
  }
  const auto position = [&](const std::string& extra) {
    return std::find(args.begin(), args.end(), extra) - args.begin();
  };
  std::stable_sort(extras.begin(), extras.end(),
                   [&](const auto& a, const auto& b) { return position(a) < position(b); });
  const auto hint = [](std::string_view word, const std::vector<std::string>& known) {
    const auto match = closest(word, known);
    return match ? fmt::format("; did you mean {}?", quote(*match)) : std::string();
  };
  const auto is_option = [](const std::string& extra) {
    return extra.size() > 1 && extra[0] == '-' &&
           !std::isdigit(static_cast<unsigned char>(extra[1]));
  };
  for (const auto& extra : extras) {
    if (!sub && !is_option(extra)) {
      std::vector<std::string> names;
      for (const auto* candidate : subcommands) {
        names.push_back(candidate->get_name());
      }
      return fmt::format("unknown subcommand {}{}", quote(extra), hint(extra, names));
    }
    if (!is_option(extra)) {
      continue;
    }
    const std::string name = extra.substr(0, extra.find('='));
    if (sub) {
      const auto own = long_names(*sub);
      if (std::find(own.begin(), own.end(), name) != own.end()) { // given before the subcommand
        return fmt::format("{} is an option of {}: give it after {}", quote(name), sub->get_name(),
                           sub->get_name());
      }
    }
    for (const auto* other : subcommands) {
      const auto names = long_names(*other);
      if (sub && other != sub && std::find(names.begin(), names.end(), name) != names.end()) {
        return fmt::format("{} is an option of {}, not of {}", quote(name), other->get_name(),
                           sub->get_name());
      }
    }
    auto names = long_names(app);
    if (sub) {
      const auto own = long_names(*sub);
      names.insert(names.end(), own.begin(), own.end());
    }
    return fmt::format("unknown option {}{}", quote(name), hint(name, names));
  }
  if (const auto* own = sub ? find_subcommand(sub->get_name()) : nullptr;
      own && own->command != Subcommand::Command::none) {
    return fmt::format("unexpected argument {}: put the command after \"--\" (rbarrier {} NAME "
                       "... -- CMD [ARGS...])",
                       quote(extras.front()), own->name);
  }
  return fmt::format("unexpected argument {}", quote(extras.front()));
}

// Where to read more about a command line that went wrong: the subcommand's --help when one was
// named.
std::string see_help(const std::vector<std::string>& args) {
  for (const auto& arg : args) {
    if (const auto* sub = find_subcommand(arg)) {
      return fmt::format("(see rbarrier {} --help)", sub->name);
    }
  }
  return "(see rbarrier --help)";
}

// Splits off what follows "--" when a subcommand named before it runs a command: CLI11 never
// sees it. Other subcommands leave "--" to CLI11 (which ends the options there: status -- -n).
std::vector<std::string> split_command(std::vector<std::string>& args) {
  const auto dashes = std::find(args.begin(), args.end(), "--");
  const bool runs_command = std::any_of(args.begin(), dashes, [](const std::string& arg) {
    const auto* sub = find_subcommand(arg);
    return sub && sub->command != Subcommand::Command::none;
  });
  if (!runs_command || dashes == args.end()) {
    return {};
  }
  std::vector<std::string> command(dashes + 1, args.end());
  args.erase(dashes, args.end());
  if (command.empty()) {
    throw UsageError("no command after \"--\"");
  }
  return command;
}

// Parses with CLI11. With `all`, every subcommand and option is registered: parse() parses so
// again after an error, for a diagnosis that knows every subcommand and option.
Invocation parse_args(const std::vector<std::string>& args, std::vector<std::string> command,
                      const Environment& environment, bool all) {
  Registrar reg(args, all);
  CLI::App app{std::string(), "rbarrier"};
  app.require_subcommand(1);
  app.fallthrough();
  auto global_slots = add_options(reg, &app, global_options());
  std::vector<std::pair<const Subcommand*, CLI::App*>> apps;
  std::vector<std::vector<Slot>> slots;
  slots.reserve(subcommands().size());
  for (const auto* sub : subcommands()) {
    auto* sub_app = reg.command(app, std::string(sub->name));
    apps.emplace_back(sub, sub_app);
    slots.push_back(add_options(reg, sub_app, sub->options));
  }
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (!all) {
      return parse_args(args, std::move(command), environment, true);
    }
    throw UsageError(fmt::format("{} {}", diagnose(app, args, e), see_help(args)));
  }
  Invocation invocation;
  invocation.global = build_global(collect(global_slots), environment);
  for (std::size_t i = 0; i < apps.size(); ++i) {
    if (apps[i].second && apps[i].second->parsed()) {
      Values values = collect(slots[i]);
      for (auto& word : command) {
        values.add("--", std::move(word));
      }
      invocation.subcommand = apps[i].first;
      if (invocation.subcommand->command == Subcommand::Command::required && !values.given("--")) {
        throw UsageError(fmt::format("{} needs a command: rbarrier {} NAME ... -- CMD [ARGS...]",
                                     invocation.subcommand->name, invocation.subcommand->name));
      }
      try {
        invocation.command = invocation.subcommand->build(values, invocation.global);
      } catch (const UsageError& error) {
        throw UsageError(fmt::format("{} {}", error.what(), see_help(args)));
      }
    }
  }
  if (invocation.subcommand == nullptr) { // CLI11 requires one: never run one not asked for
    throw UsageError("a subcommand is required (see rbarrier --help)");
  }
  return invocation;
}

} // namespace

Parsed parse(const std::vector<std::string>& args, const Environment& environment,
             std::ostream& out) {
  std::vector<std::string> own = args;
  std::vector<std::string> command = split_command(own);
  const auto asked = [&](std::initializer_list<std::string_view> flags) {
    return std::any_of(own.begin(), own.end(), [&](const std::string& arg) {
      return std::find(flags.begin(), flags.end(), arg) != flags.end();
    });
  };
  // --help and --version without CLI11: the first exception a static binary throws sorts its
  // unwind tables, which costs more than the rest of the program's start-up.
  if (asked({"--version"})) {
    out << version_text();
    return {std::nullopt, 0};
  }
  if (asked({"-h", "--help"})) {
    const Subcommand* sub = nullptr;
    for (const auto& arg : own) {
      if (!sub) {
        sub = find_subcommand(arg);
      }
    }
    out << help::render(sub, help::terminal_width());
    return {std::nullopt, 0};
  }
  return {parse_args(own, std::move(command), environment, false), 0};
}

} // namespace rbarrier::cli
