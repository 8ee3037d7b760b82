// SPDX-License-Identifier: Apache-2.0
// What --json prints for a party: the report of its outcome (text only, no I/O).
#pragma once
// What --json prints for a party: the report of its outcome, as one line of JSON (no I/O).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "barrier.hpp"
#include "ending.hpp"

namespace rbarrier {

// What --json prints for wait, arrive, await and run: one object on one line, whatever the
// outcome.
struct Report {
  Ending outcome = Ending::error; // how the party ended: that of its Result
  // One of several barriers awaited together that was not decided when the wait ended: its
  // "outcome" is null.
  bool decided = true;
  std::string name = {};
  std::int64_t generation = 0;
  std::int64_t parties = 0; // a released generation's: how many it was released with
  std::optional<std::int64_t> min = {}; // -n MIN:MAX: MIN, and MAX
  std::optional<std::int64_t> max = {};
  std::optional<Duration> deadline = {}; // the generation's --deadline, when it has one
  std::optional<std::string> id = {}; // a counted party's member id
  std::string reason = {}; // aborted, broken, mismatch, lost, failed: why
  std::optional<std::vector<RosterEntry>> members = {}; // released: the roster, in rank order
  // timeout with --members: who is not there (sorted), and of them who came and left; expired:
  // who never arrived
  std::optional<std::vector<std::string>> missing = {};
  std::optional<std::vector<std::string>> left = {};
  // once: whether this caller ran the command, who did it and when (then no parties)
  std::optional<bool> ran = {};
  std::string by = {};
  std::optional<std::chrono::system_clock::time_point> done_at = {};
};

// The report as one line of JSON: "members" (each {"id", "rank", "data"}) and this party's
// "rank" on a release, null when the roster is no longer known; "data" null for a member
// without --data.
std::string to_json(const Report& report);

// --json of await on several barriers: {"outcome", "barriers": [each one's report]}, on one
// line.
std::string to_json(Ending outcome, const std::vector<Report>& barriers);

// The object --json prints for an ending that made no report (an error, a signal before the
// party knew anything): {"outcome", "name", "status", "message"}, on one line; name null for
// a command of no barrier (list).
std::string error_json(const Result& result, std::string_view name);

// "a", "b" and 3 more: at most `shown` ids, quoted, for a message.
std::string list_ids(const std::vector<std::string>& ids, std::size_t shown = 5);

} // namespace rbarrier
