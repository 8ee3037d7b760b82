// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "barrier.hpp"
#include "ending.hpp"
#include "session.hpp"

namespace rbarrier {

// What --json prints for wait, arrive, await and run: one object on one line, whatever the
// outcome.
struct Report {
  Ending outcome = Ending::error; // how the party ended: that of its Result
  std::string name = {};
  std::int64_t generation = 0;
  std::int64_t parties = 0;
  std::optional<std::string> id = {}; // a counted party's member id
  std::string reason = {}; // aborted, broken, mismatch, lost, failed: why
  std::optional<std::vector<RosterEntry>> members = {}; // released: the roster, in rank order
  // timeout with --members: who is not there (sorted), and of them who came and left
  std::optional<std::vector<std::string>> missing = {};
  std::optional<std::vector<std::string>> left = {};
};

// The report as one line of JSON: "members" (each {"id", "rank", "data"}) and this party's
// "rank" on a release, null when the roster is no longer known; "data" null for a member
// without --data.
std::string to_json(const Report& report);

// Prints the report on stdout, flushed (before an exec, or the exit).
void print(const Report& report);

// The object --json prints for an ending that made no report (an error, a signal before the
// party knew anything): {"outcome", "name", "status", "message"}, on one line.
std::string error_json(const Result& result, std::string_view name);

// Whether a report (or, for status --json, a snapshot: note_printed()) went to stdout: main()
// prints error_json() when --json was asked for and nothing was.
bool printed();
void note_printed();

// The members of released `generation` of barrier `name` in rank order, read with one command
// within `timeout`; nullopt, with a warning, when they cannot be read or are no longer kept (the
// outcome stands: the roster only adds to it).
std::optional<std::vector<RosterEntry>> read_roster(Session& session, const Barrier& barrier,
                                                    std::int64_t generation, std::string_view name,
                                                    Duration timeout);

// "a", "b" and 3 more: at most `shown` ids, quoted, for a message.
std::string list_ids(const std::vector<std::string>& ids, std::size_t shown = 5);

} // namespace rbarrier
