// SPDX-License-Identifier: Apache-2.0
// What goes to stdout: a party's --json report, and whether anything did.
#include "output.hpp"

#include <cstdio>

namespace rbarrier {

namespace {
bool g_printed = false;
} // namespace

void print(const Report& report) {
  std::fputs(to_json(report).c_str(), stdout);
  std::fflush(stdout);
  g_printed = true;
}

void print(Ending outcome, const std::vector<Report>& barriers) {
  std::fputs(to_json(outcome, barriers).c_str(), stdout);
  std::fflush(stdout);
  g_printed = true;
}

bool printed() { return g_printed; }

void note_printed() { g_printed = true; }

} // namespace rbarrier
