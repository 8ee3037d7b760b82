// SPDX-License-Identifier: Apache-2.0
#include "report.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier {

std::string to_json(const Report& report) {
  using nlohmann::json;
  json out = {{"outcome", json_name(report.outcome)},
              {"name", report.name},
              {"generation", report.generation},
              {"parties", report.parties}};
  if (report.id) {
    out["id"] = *report.id;
  }
  if (!report.reason.empty()) {
    out["reason"] = report.reason;
  }
  if (report.outcome == Ending::released) {
    out["members"] = nullptr;
    if (report.id) {
      out["rank"] = nullptr;
    }
    if (report.members) {
      json members = json::array();
      for (std::size_t rank = 0; rank < report.members->size(); ++rank) {
        const auto& member = (*report.members)[rank];
        members.push_back({{"id", member.id},
                           {"rank", rank},
                           {"data", member.value.empty() ? json(nullptr) : json(member.value)}});
        if (report.id && member.id == *report.id) {
          out["rank"] = rank;
        }
      }
      out["members"] = members;
    }
  }
  if (report.left) {
    out["left"] = *report.left;
  }
  if (report.missing) {
    out["missing"] = *report.missing;
  }
  // Names, ids and data are arbitrary bytes: invalid UTF-8 becomes U+FFFD.
  return out.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {
bool g_printed = false;
} // namespace

void print(const Report& report) {
  std::fputs(to_json(report).c_str(), stdout);
  std::fflush(stdout);
  g_printed = true;
}

std::string error_json(const Result& result, std::string_view name) {
  using nlohmann::json;
  const json out = {{"outcome", json_name(result.ending)},
                    {"name", name},
                    {"status", result.exit_code},
                    {"message", result.message}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

bool printed() { return g_printed; }

void note_printed() { g_printed = true; }

std::optional<std::vector<RosterEntry>> read_roster(Session& session, const Barrier& barrier,
                                                    std::int64_t generation, std::string_view name,
                                                    Duration timeout) {
  std::optional<std::vector<RosterEntry>> roster;
  try {
    roster = session.run(
        [&](redis::Connection& connection, Deadline attempt) {
          return barrier.roster(connection, generation, attempt);
        },
        Clock::now() + timeout);
  } catch (const Error& error) {
    log::warning(
        fmt::format("could not read the members of barrier {}: {}", quote(name), error.what()));
    return std::nullopt;
  }
  if (!roster) {
    log::warning(fmt::format("the members of generation {} of barrier {} are no longer known",
                             generation, quote(name)));
    return std::nullopt;
  }
  return in_rank_order(std::move(*roster));
}

std::string list_ids(const std::vector<std::string>& ids, std::size_t shown) {
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < shown; ++i) {
    out += (i == 0 ? "" : ", ") + quote(ids[i]);
  }
  if (ids.size() > shown) {
    out += fmt::format(" and {} more", ids.size() - shown);
  }
  return out;
}

} // namespace rbarrier
