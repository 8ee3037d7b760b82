// SPDX-License-Identifier: Apache-2.0
// rbarrier list [PATTERN]: every barrier under the prefix, one line each.
#include <fmt/format.h>
#include <fnmatch.h>
#include <iostream>
#include <nlohmann/json.hpp>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "output.hpp"
#include "redis/cluster.hpp"
#include "session.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

namespace {

struct ListOptions {
  std::string pattern = "*"; // a glob on the names
  bool json = false;
};

// What a line says of a barrier: the generation's outcome in one word.
std::string last_word(const Snapshot& s) {
  if (!s.last) {
    return "-";
  }
  switch (s.last->outcome) {
  case Outcome::released:
    return "released";
  case Outcome::reset:
    return "reset";
  case Outcome::aborted:
    return "aborted";
  case Outcome::expired:
    return "expired";
  }
  return "-";
}

std::string arrived(const Snapshot& s) {
  if (s.command) {
    return "once"; // a once: no parties
  }
  return fmt::format("{}/{}", s.members.size(),
                     s.parties ? parties_text(s.timing.fewest(*s.parties), *s.parties) : "?");
}

std::string expiry(const Snapshot& s) {
  return s.ttl.count() < 0 ? std::string("never") : format_duration(s.ttl);
}

// One line, the name last so that lines are printed as they are found: columns aligned without
// knowing every name first, and memory bounded however many barriers there are.
std::string line(const std::string& name, const Snapshot& s) {
  // A once's state: done, running (its runner works), or open, broken.
  const std::string state = !s.command            ? s.state
                            : s.state == "passed" ? "done"
                            : s.working.empty()   ? s.state
                                                  : "running";
  return fmt::format("{:<8} {:>10} {:>9} {:>7} {:<9} {:>8}  {}\n", state, s.generation, arrived(s),
                     s.working.size(), last_word(s), expiry(s),
                     quote(name, std::string_view::npos));
}

std::string object(const std::string& name, const Snapshot& s) {
  const bool elastic = s.parties && s.timing.elastic(*s.parties);
  nlohmann::json out = {
      {"name", name},
      {"kind", s.command ? "once" : "barrier"},
      {"state", s.state},
      {"generation", s.generation},
      {"parties", s.parties ? nlohmann::json(*s.parties) : nlohmann::json(nullptr)},
      {"min", elastic ? nlohmann::json(s.timing.min) : nlohmann::json(nullptr)},
      {"arrived", s.members.size()},
      {"working", s.working.size()},
      {"last_outcome", s.last ? nlohmann::json(last_word(s)) : nlohmann::json(nullptr)},
      {"ttl_ms", s.ttl.count() < 0 ? nlohmann::json(nullptr) : nlohmann::json(s.ttl.count())},
  };
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Lists the barriers whose metadata keys one node holds, a SCAN page at a time. `on_node(fn)`
// runs fn(connection, attempt) on that node, each page and each barrier's status an attempt of
// its own: a connection lost midway costs that one again, and no line is printed twice.
template <typename OnNode>
void scan(OnNode&& on_node, const GlobalOptions& global, const ListOptions& options, bool& first) {
  // every metadata key under the prefix (and derived keys, which name_of_key() leaves out)
  const std::string pattern = glob_escape(global.prefix) + "{*}";
  std::string cursor = "0";
  do {
    ScanPage page = on_node([&](redis::Connection& connection, Deadline attempt) {
      return scan_page(connection, pattern, cursor, attempt);
    });
    for (const auto& key : page.keys) {
      const auto name = name_of_key(global.prefix, key);
      if (!name || ::fnmatch(options.pattern.c_str(), name->c_str(), 0) != 0) {
        continue;
      }
      const Barrier barrier(global.prefix, *name, global.ttl);
      const auto snapshot = on_node([&](redis::Connection& connection, Deadline attempt) {
                              return barrier.status(connection, attempt);
                            }).snapshot;
      if (!snapshot) {
        continue; // gone since SCAN saw it
      }
      std::cout << (options.json ? (first ? "[" : ",\n") + object(*name, *snapshot)
                                 : line(*name, *snapshot));
      first = false;
    }
    cursor = std::move(page.cursor);
  } while (cursor != "0");
}

Result list(const GlobalOptions& global, const ListOptions& options) {
  Session session(global.server);
  const auto deadline = [&] { return Clock::now() + global.server.connect_timeout; };
  const auto masters = session.cluster_masters(deadline());
  bool first = true;
  if (!options.json) {
    std::cout << fmt::format("{:<8} {:>10} {:>9} {:>7} {:<9} {:>8}  {}\n", "STATE", "GENERATION",
                             "ARRIVED", "WORKING", "LAST", "EXPIRES", "NAME");
  }
  if (masters.empty()) {
    scan([&](auto&& fn) { return session.run(fn, deadline()); }, global, options, first);
  } else {
    for (const auto& master : masters) { // every key is on one master
      // Its barriers read where SCAN found them, not through the session, which would follow
      // MOVED to their nodes in turn; the session follows a slot that moves or moved since.
      const auto connection = session.connect_to(master, deadline());
      scan(
          [&](auto&& fn) {
            try {
              return fn(*connection, deadline());
            } catch (const RedisError& error) {
              if (!redis::parse_redirection(error.what()) && !error.transient()) {
                throw;
              }
              return session.run(fn, deadline()); // (TRYAGAIN: its slot is being migrated)
            }
          },
          global, options, first);
    }
  }
  if (options.json) {
    std::cout << (first ? "[]\n" : "]\n");
  }
  std::cout << std::flush;
  note_printed();
  return {};
}

constexpr OptionSpec k_options[] = {
    {"PATTERN", OptionSpec::Kind::positional, "",
     "a glob on the names (default *: every barrier under the prefix)", true},
    {"--json", OptionSpec::Kind::flag, "", "print one JSON array, an object per barrier"},
};

Prepared build(const Values& values, const GlobalOptions&) {
  ListOptions options;
  if (values.given("PATTERN")) {
    options.pattern = values["PATTERN"];
  }
  options.json = values.given("json");
  return prepare(std::move(options), list);
}

} // namespace

extern const Subcommand k_list{.name = "list",
                               .summary =
                                   "list the barriers under the prefix whose names match PATTERN",
                               .options = k_options,
                               .reads_only = true,
                               .build = build};

} // namespace rbarrier::commands
