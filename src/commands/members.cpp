// SPDX-License-Identifier: Apache-2.0
// What wait, arrive and run take from the command line about the members: --parties, --members,
// --id and --data, checked together.
#include <algorithm>
#include <tuple>
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

// "N" (MIN = MAX = N) or "MIN:MAX", 1 <= MIN <= MAX: {MIN, MAX}.
std::pair<std::int64_t, std::int64_t> parse_parties(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) {
    const std::int64_t n = parse_positive("--parties", text);
    return {n, n};
  }
  const std::int64_t min = parse_positive("--parties", text.substr(0, colon));
  const std::int64_t max = parse_positive("--parties", text.substr(colon + 1));
  if (min > max) {
    throw UsageError(
        fmt::format("invalid value {} for --parties: MIN is more than MAX", quote(text)));
  }
  return {min, max};
}

// --last-call, --rank-by and --deadline, with MIN and MAX.
void timing_options(Shape& shape, const Values& values) {
  if (shape.elastic() && !values.given("last-call")) {
    throw UsageError(fmt::format("-n {}:{} needs --last-call: how long to wait for more than {} "
                                 "once they are there",
                                 shape.min, shape.parties, shape.min));
  }
  if (values.given("last-call")) {
    if (!shape.elastic()) {
      throw UsageError("--last-call needs -n MIN:MAX with MIN less than MAX");
    }
    shape.last_call = parse_duration("--last-call", values["last-call"]);
    if (shape.last_call <= Duration(0)) {
      throw UsageError(fmt::format("invalid value {} for --last-call: must be more than 0",
                                   quote(values["last-call"])));
    }
  }
  if (values.given("rank-by")) {
    const auto rank_by = parse_rank_by(values["rank-by"]);
    if (!rank_by) {
      throw UsageError(
          fmt::format("invalid value {} for --rank-by: expected id, natural or arrival",
                      quote(values["rank-by"])));
    }
    shape.rank_by = *rank_by;
  }
  if (values.given("deadline")) {
    shape.deadline = parse_duration("--deadline", values["deadline"]);
    if (*shape.deadline <= Duration(0)) {
      throw UsageError(fmt::format("invalid value {} for --deadline: must be more than 0",
                                   quote(values["deadline"])));
    }
  }
}

} // namespace

Membership membership(const Values& values, Deadline deadline) {
  Membership out;
  out.id = member_id(values);
  auto& shape = out.shape;
  if (values.given("members")) {
    out.members = parse_members(values["members"], deadline);
    shape.parties = static_cast<std::int64_t>(out.members.size());
    shape.min = shape.parties;
    if (values.given("parties")) {
      const auto [min, max] = parse_parties(values["parties"]);
      if (max != shape.parties) {
        throw UsageError(fmt::format("--parties {} disagrees with the {} ids of --members",
                                     values["parties"], shape.parties));
      }
      shape.min = min; // MIN of the members suffice
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
    std::tie(shape.min, shape.parties) = parse_parties(values["parties"]);
  } else {
    throw UsageError("--parties is required (or --members)");
  }
  timing_options(shape, values);
  shape.expected = canonical_members(out.members);
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
