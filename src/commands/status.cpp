#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>

#include "barrier.hpp"
#include "commands/commands.hpp"
#include "commands/session.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

namespace {

std::string describe(const Decision& decision) {
  switch (decision.outcome) {
  case Outcome::released:
    return "released";
  case Outcome::reset:
    return "reset";
  case Outcome::aborted:
    return decision.reason.empty() ? "aborted" : fmt::format("aborted: {}", decision.reason);
  }
  return "unknown";
}

std::string text(std::string_view name, const Snapshot& s) {
  std::string out = fmt::format("barrier {}\n", quote(name, std::string_view::npos));
  out += fmt::format("  state:      {}{}\n", s.state,
                     s.state == "broken" && !s.reason.empty() ? fmt::format(" ({})", s.reason)
                                                              : "");
  out += fmt::format("  generation: {}\n", s.generation);
  out += fmt::format("  arrived:    {} of {}{}\n", s.members.size(),
                     s.parties ? std::to_string(*s.parties) : "? (set by the next arrival)",
                     s.once ? " (--once)" : "");
  for (const auto& member : s.members) {
    out += fmt::format("    {}  lease {}\n", quote(member.id), format_duration(member.lease_left));
  }
  out += fmt::format("  last:       {}\n", s.last ? describe(*s.last) : "none");
  out += fmt::format("  expires in: {}\n",
                     s.ttl.count() < 0 ? std::string("never") : format_duration(s.ttl));
  return out;
}

std::string json(std::string_view name, const Snapshot& s) {
  nlohmann::json members = nlohmann::json::array();
  for (const auto& member : s.members) {
    members.push_back({{"id", member.id}, {"lease_ms", member.lease_left.count()}});
  }
  nlohmann::json out = {
      {"name", name},
      {"parties", s.parties ? nlohmann::json(*s.parties) : nlohmann::json(nullptr)},
      {"generation", s.generation},
      {"state", s.state},
      {"reason", s.reason},
      {"once", s.once},
      {"arrived", s.members.size()},
      {"members", members},
      {"last_outcome", s.last ? nlohmann::json(describe(*s.last)) : nlohmann::json(nullptr)},
      {"ttl_ms", s.ttl.count() < 0 ? nlohmann::json(nullptr) : nlohmann::json(s.ttl.count())},
  };
  // Names and ids are arbitrary bytes: invalid UTF-8 becomes U+FFFD rather than an exception.
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace

Result status(const GlobalOptions& global, const StatusOptions& options) {
  Session session(global);
  const Barrier barrier(global.prefix, options.name, global.ttl);
  const Deadline deadline = Clock::now() + global.connect_timeout;
  const auto snapshot = session.run(
      [&](redis::Connection& connection, Deadline attempt) { return barrier.status(connection, attempt); },
      deadline);
  if (!snapshot) {
    return {to_int(ExitCode::no_such_barrier),
            fmt::format("no barrier {}", quote(options.name))};
  }
  std::cout << (options.json ? json(options.name, *snapshot) : text(options.name, *snapshot))
            << std::flush;
  return {};
}

} // namespace rbarrier::commands
