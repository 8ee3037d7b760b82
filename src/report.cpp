// SPDX-License-Identifier: Apache-2.0
// The --json report as text: one object on one line.
#include "report.hpp"

#include <algorithm>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/log.hpp"
#include "util/text.hpp"

namespace rbarrier {

namespace {

// Names, ids and data are arbitrary bytes: invalid UTF-8 becomes U+FFFD.
std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Appends `text` as a JSON string, as dump() would write it: printable ASCII as it is, the rest
// through the library. A roster of N members is written by each of N parties: no tree is built
// for it.
void append_string(std::string& out, std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
  } else {
    out += dump(nlohmann::json(std::string(text)));
  }
}

// The roster as a JSON array of {"data", "id", "rank"} (the keys sorted, as the library writes
// them), in rank order.
std::string members_json(const std::vector<RosterEntry>& members) {
  std::string out = "[";
  for (std::size_t rank = 0; rank < members.size(); ++rank) {
    out += rank == 0 ? "{\"data\":" : ",{\"data\":";
    if (members[rank].value.empty()) {
      out += "null";
    } else {
      append_string(out, members[rank].value);
    }
    out += ",\"id\":";
    append_string(out, members[rank].id);
    out += ",\"rank\":";
    out += std::to_string(rank);
    out += '}';
  }
  return out + "]";
}

} // namespace

std::string to_json(const Report& report) {
  using nlohmann::json;
  json out = {{"outcome", report.decided ? json(json_name(report.outcome)) : json(nullptr)},
              {"name", report.name},
              {"generation", report.generation}};
  if (report.ran) { // once: a command, not parties
    out["ran"] = *report.ran;
    if (!report.by.empty()) {
      out["by"] = report.by;
    }
    if (report.done_at) {
      out["done_at"] =
          fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                      fmt::gmtime(std::chrono::system_clock::to_time_t(*report.done_at)));
    }
  } else {
    out["parties"] = report.parties;
  }
  if (report.min && report.max) {
    out["min"] = *report.min;
    out["max"] = *report.max;
  }
  if (report.deadline) {
    out["deadline_ms"] = report.deadline->count();
  }
  if (report.id) {
    out["id"] = *report.id;
  }
  if (!report.reason.empty()) {
    out["reason"] = report.reason;
  }
  const bool released = report.outcome == Ending::released;
  if (released) {
    out["members"] = nullptr;
    if (report.id) {
      out["rank"] = nullptr;
    }
    if (report.members && report.id) {
      const auto& members = *report.members;
      const auto mine = std::find_if(members.begin(), members.end(),
                                     [&](const RosterEntry& m) { return m.id == *report.id; });
      if (mine != members.end()) {
        out["rank"] = mine - members.begin();
      }
    }
  }
  if (report.left) {
    out["left"] = *report.left;
  }
  if (report.missing) {
    out["missing"] = *report.missing;
  }
  std::string text = dump(out);
  if (released && report.members) { // in place of its null
    const std::string_view null_members = "\"members\":null";
    const auto at = text.find(null_members);
    text.replace(at, null_members.size(), "\"members\":" + members_json(*report.members));
  }
  return text + "\n";
}

std::string to_json(Ending outcome, const std::vector<Report>& barriers) {
  std::string each;
  for (const auto& report : barriers) {
    std::string text = to_json(report);
    text.pop_back(); // its newline
    each += (each.empty() ? "" : ",") + text;
  }
  return fmt::format("{{\"outcome\":\"{}\",\"barriers\":[{}]}}\n", json_name(outcome), each);
}

std::string error_json(const Result& result, std::string_view name) {
  using nlohmann::json;
  const json out = {{"outcome", json_name(result.ending)},
                    {"name", name.empty() ? json(nullptr) : json(name)},
                    {"status", result.exit_code},
                    {"message", result.message}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
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
