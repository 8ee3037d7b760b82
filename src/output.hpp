// SPDX-License-Identifier: Apache-2.0
// What goes to stdout: a party's --json report, and whether anything did.
#pragma once

#include "report.hpp"

namespace rbarrier {

// Prints the report on stdout, flushed (before an exec, or the exit).
void print(const Report& report);
// The same for several barriers awaited together (to_json of them).
void print(Ending outcome, const std::vector<Report>& barriers);

// Whether a report (or, for status --json, a snapshot: note_printed()) went to stdout: main()
// prints error_json() when --json was asked for and nothing was.
bool printed();
void note_printed();

} // namespace rbarrier
