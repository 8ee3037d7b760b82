// SPDX-License-Identifier: Apache-2.0
// A subcommand as data: its options, how they are built, what it prepares to run.
#pragma once

#include <any>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ending.hpp"
#include "options.hpp"

// A subcommand as data: its name, summary, options, and how what the command line gave is made
// into a Prepared, its options struct with what runs it. src/subcommands.cpp holds the table of
// them; the command line (src/cli.cpp), --help (src/help.cpp) and the completions
// (src/commands/completion.cpp) read it, and nothing else needs to know which subcommands there
// are.
namespace rbarrier {

// Reads an environment variable; nullopt when unset.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// One option or positional argument, as --help shows it.
struct OptionSpec {
  enum class Kind {
    flag, // -q, --quiet
    value, // --timeout DUR
    list, // --sentinel HOST[:PORT], repeatable
    positional, // NAME: must be given
  };
  std::string_view names; // "-t,--timeout"; for a positional, its name ("NAME")
  Kind kind = Kind::flag;
  std::string_view value; // what the value is: "DUR", "N", "URL", "FILE"; empty for a flag
  std::string_view help;
  bool optional = false; // a positional that may be omitted: [PATTERN]
  bool many = false; // a positional given one or more times: NAME...

  // The name its values go by: the first long name without its dashes ("timeout"), or the
  // positional's name.
  std::string_view key() const;
};

// The values the command line gave, by OptionSpec::key(); a flag given has one empty value.
// After wait's "--", the command to run is under the key "--".
class Values {
public:
  void add(std::string_view key, std::string value);
  bool given(std::string_view key) const { return find(key) != nullptr; }
  // The last value given, or an empty string.
  const std::string& operator[](std::string_view key) const;
  // Every value given, in order.
  const std::vector<std::string>& all(std::string_view key) const;

private:
  const std::vector<std::string>* find(std::string_view key) const;

  std::vector<std::pair<std::string, std::vector<std::string>>> m_values;
};

// What a subcommand's build made of its command line: ready to run. Its options struct stays in
// the subcommand's file; `options` holds it (a shared_ptr to const) for whoever knows its type.
struct Prepared {
  std::string name; // the barrier's, for the messages of main(); empty when it names none
  bool json = false; // --json: main() prints one object whatever the ending
  std::function<Result(const GlobalOptions&)> run;
  std::any options;
};

// A Prepared that runs `run` on `options` (a struct with the barrier's `name` when it names one,
// and `json` when it takes --json).
template <typename Options>
Prepared prepare(Options options, Result (*run)(const GlobalOptions&, const Options&)) {
  auto shared = std::make_shared<const Options>(std::move(options));
  Prepared prepared;
  if constexpr (requires { shared->name; }) {
    prepared.name = shared->name;
  }
  if constexpr (requires { shared->json; }) {
    prepared.json = shared->json;
  }
  prepared.run = [shared, run](const GlobalOptions& global) { return run(global, *shared); };
  prepared.options = shared;
  return prepared;
}

struct Subcommand {
  std::string_view name = {};
  std::string_view summary = {}; // one line, for --help
  std::span<const OptionSpec> options = {};
  std::string_view footer = {}; // after the options in its --help; may be empty
  // Whether "-- CMD [ARGS...]" ends its command line.
  enum class Command { none, optional, required };
  Command command = Command::none;
  // It reads a barrier and changes nothing (status): a signal that cut it short changed nothing.
  bool reads_only = false;
  // Checks and converts the values; throws UsageError naming the option and the value.
  Prepared (*build)(const Values& values, const GlobalOptions& global) = nullptr;
};

// The command line, parsed.
struct Invocation {
  GlobalOptions global;
  Prepared command;
  const Subcommand* subcommand = nullptr; // the entry of the table that made `command`
};

// Every subcommand, in the order --help lists them.
std::span<const Subcommand* const> subcommands();

// The subcommand named `name`, or nullptr.
const Subcommand* find_subcommand(std::string_view name);

// The NAME positional, which must not be empty; throws UsageError.
const std::string& barrier_name(const Values& values);

// --id's value, if given; throws UsageError when it is empty.
std::optional<std::string> member_id(const Values& values);

// --timeout: none without one or for the literal 0 (for ever); throws UsageError.
std::optional<Duration> timeout(const Values& values);

// --lease (default 30s): at least 100ms, and no longer than --ttl; throws UsageError.
Duration lease(const Values& values, const GlobalOptions& global);

// The global options (before the subcommand), and their conversion, environment included.
std::span<const OptionSpec> global_options();
GlobalOptions build_global(const Values& values, const Environment& environment);

} // namespace rbarrier
