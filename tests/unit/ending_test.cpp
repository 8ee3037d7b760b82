// SPDX-License-Identifier: Apache-2.0
// The table of endings: names and exit statuses as the manual's EXIT STATUS and --json say.
#include <doctest/doctest.h>
#include <csignal>
#include <set>

#include "ending.hpp"

using namespace rbarrier;

TEST_CASE("every ending has its own --json name and the manual's exit status") {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(Ending::error); ++i) {
    CHECK(names.insert(json_name(static_cast<Ending>(i))).second);
  }
  CHECK(json_name(Ending::released) == "released");
  CHECK(json_name(Ending::broken) == "broken");
  CHECK(exit_code_of(Ending::released) == ExitCode::ok);
  CHECK(exit_code_of(Ending::arrived) == ExitCode::ok);
  CHECK(exit_code_of(Ending::reset) == ExitCode::reset);
  CHECK(exit_code_of(Ending::aborted) == ExitCode::aborted);
  CHECK(exit_code_of(Ending::broken) == ExitCode::aborted);
  CHECK(exit_code_of(Ending::lost) == ExitCode::state_lost);
  CHECK(exit_code_of(Ending::mismatch) == ExitCode::mismatch);
  CHECK(exit_code_of(Ending::timeout) == ExitCode::timeout);
  CHECK(ending_of_signal(SIGINT) == Ending::interrupted);
  CHECK(ending_of_signal(SIGTERM) == Ending::terminated);
  CHECK(Result(Ending::terminated, "x").exit_code == 143);
  CHECK(Result(Ending::failed, 7, "x").exit_code == 7);
  const Result stopped = stopped_by(SIGTERM, "waiting at barrier \"b\"");
  CHECK(stopped.ending == Ending::terminated);
  CHECK(stopped.exit_code == 143);
  CHECK(stopped.message == "terminated while waiting at barrier \"b\"");
  CHECK(stopped_by(SIGINT, "x").message == "interrupted while x");
}
