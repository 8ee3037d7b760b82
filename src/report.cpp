// SPDX-License-Identifier: Apache-2.0
// The --json report as text: one object on one line.
#include "report.hpp"

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

std::string error_json(const Result& result, std::string_view name) {
  using nlohmann::json;
  const json out = {{"outcome", json_name(result.ending)},
                    {"name", name},
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
