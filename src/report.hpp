// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "barrier.hpp"

namespace rbarrier {

// What --json prints for wait, arrive and await: one object on one line, whatever the outcome.
struct Report {
  std::string outcome = {}; // released, passed, arrived, reset, aborted, broken, mismatch, lost,
                            // timeout, interrupted, terminated
  std::string name = {};
  std::int64_t generation = 0;
  std::int64_t parties = 0;
  std::optional<std::string> id = {}; // a counted party's member id
  std::string reason = {}; // aborted, broken, mismatch, lost: why
  std::optional<std::vector<RosterEntry>> members = {}; // released: the roster, in rank order
  std::optional<std::vector<std::string>> missing = {}; // timeout with --members: who never came
};

// The report as one line of JSON: "members" (each {"id", "rank", "data"}) and this party's
// "rank" on a release, null when the roster is no longer known; "data" null for a member
// without --data.
std::string to_json(const Report& report);

// "a", "b" and 3 more: at most `shown` ids, quoted, for a message.
std::string list_ids(const std::vector<std::string>& ids, std::size_t shown = 5);

} // namespace rbarrier
