// SPDX-License-Identifier: Apache-2.0
// What wait, arrive and run take from the command line about the members: --parties, --members,
// --id and --data, checked together.
#include <algorithm>
#include <fmt/format.h>

#include "commands/commands.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace rbarrier::commands {

namespace {

// "a,b,c", or "@FILE" with one id per line (blank lines and a last line end ignored).
std::vector<std::string> parse_members(const std::string& text, Deadline deadline) {
  const bool file = text.starts_with('@');
  const std::string list =
      file ? read_bounded(text.substr(1), k_max_members_file, deadline, "--members") : text;
  const char separator = file ? '\n' : ',';
  std::vector<std::string> ids;
  for (std::size_t begin = 0, end = 0; begin <= list.size(); begin = end + 1) {
    end = std::min(list.find(separator, begin), list.size());
    std::string id = list.substr(begin, end - begin);
    if (file && id.ends_with('\r')) {
      id.pop_back();
    }
    if (id.empty()) {
      if (file) {
        continue;
      }
      throw UsageError(fmt::format("invalid value {} for --members: an empty id", quote(text)));
    }
    if (id.find('\n') != std::string::npos) {
      throw UsageError(fmt::format("invalid id {} in --members: ids hold no line ends", quote(id)));
    }
    ids.push_back(std::move(id));
  }
  if (ids.empty()) {
    throw UsageError(fmt::format("--members {} names no member", quote(text)));
  }
  auto sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  if (const auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end()) {
    throw UsageError(fmt::format("--members names {} twice", quote(*twice)));
  }
  return ids;
}

} // namespace

Membership membership(const Values& values, Deadline deadline) {
  Membership out;
  out.id = member_id(values);
  if (values.given("members")) {
    out.members = parse_members(values["members"], deadline);
    out.parties = static_cast<std::int64_t>(out.members.size());
    if (values.given("parties") && parse_positive("--parties", values["parties"]) != out.parties) {
      throw UsageError(fmt::format("--parties {} disagrees with the {} ids of --members",
                                   values["parties"], out.parties));
    }
    if (!out.id) {
      throw UsageError("--members needs --id: which of the members this party is");
    }
    if (std::find(out.members.begin(), out.members.end(), *out.id) == out.members.end()) {
      // Not a slip of the command line's form but a member list that does not name this party
      // (a stale file of pod names, say): the mismatch status, as for another set.
      throw Error(ExitCode::mismatch, fmt::format("--id {} is not among the {} ids of --members",
                                                  quote(*out.id), out.members.size()));
    }
  } else if (values.given("parties")) {
    out.parties = parse_positive("--parties", values["parties"]);
  } else {
    throw UsageError("--parties is required (or --members)");
  }
  if (values.given("data")) {
    out.data = values["data"];
    if (out.data.empty()) {
      throw UsageError("invalid value \"\" for --data: must not be empty");
    }
    if (out.data.size() > k_max_data) {
      throw UsageError(fmt::format("--data holds {} bytes, more than the {} allowed",
                                   out.data.size(), k_max_data));
    }
  }
  return out;
}

} // namespace rbarrier::commands
