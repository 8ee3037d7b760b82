// SPDX-License-Identifier: Apache-2.0
// Unit tests: durations parsed and written.
#include <doctest/doctest.h>

#include "util/duration.hpp"
#include "util/error.hpp"

using namespace rbarrier;
using std::chrono::milliseconds;

namespace {

std::string usage_message(std::string_view text) {
  try {
    parse_duration("--timeout", text);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "accepted";
}

} // namespace

TEST_CASE("durations with units and bare seconds") {
  CHECK(parse_duration("--timeout", "250ms") == milliseconds(250));
  CHECK(parse_duration("--timeout", "30s") == milliseconds(30'000));
  CHECK(parse_duration("--timeout", "5m") == milliseconds(300'000));
  CHECK(parse_duration("--timeout", "2h") == milliseconds(7'200'000));
  CHECK(parse_duration("--timeout", "1.5") == milliseconds(1500));
  CHECK(parse_duration("--timeout", "0.25s") == milliseconds(250));
  CHECK(parse_duration("--timeout", "0") == milliseconds(0));
  CHECK(parse_duration("--timeout", ".5") == milliseconds(500));
  // rounded up: a positive duration never becomes 0
  CHECK(parse_duration("--timeout", "0.0001s") == milliseconds(1));
  CHECK(parse_duration("--timeout", "0.2ms") == milliseconds(1));
  CHECK(parse_duration("--timeout", "1.0001ms") == milliseconds(2));
  CHECK(parse_duration("--timeout", "0ms") == milliseconds(0));
}

TEST_CASE("compound durations, largest unit first") {
  CHECK(parse_duration("--timeout", "1h30m") == milliseconds(5'400'000));
  CHECK(parse_duration("--timeout", "2m30s") == milliseconds(150'000));
  CHECK(parse_duration("--timeout", "1s500ms") == milliseconds(1500));
  CHECK(parse_duration("--timeout", "1m0.5s") == milliseconds(60'500));
  CHECK(parse_duration("--timeout", "1h2m3s4ms") == milliseconds(3'723'004));
  const std::string order = "the parts of a duration go from hours to milliseconds, once each";
  CHECK(usage_message("30s1m") == "invalid value \"30s1m\" for --timeout: " + order);
  CHECK(usage_message("1m1m") == "invalid value \"1m1m\" for --timeout: " + order);
  CHECK(usage_message("1h30") != "accepted"); // a bare number only alone
  CHECK(usage_message("1h 30m") != "accepted");
}

TEST_CASE("invalid durations name the option and the value") {
  CHECK(usage_message("abc") ==
        "invalid value \"abc\" for --timeout: expected a duration such as 250ms, 30s, 5m, 2h, "
        "1h30m or 1.5");
  CHECK(usage_message("5y") ==
        "invalid value \"5y\" for --timeout: unknown unit \"y\" (use ms, s, m or h)");
  CHECK(usage_message("") != "accepted");
  CHECK(usage_message("-1") != "accepted");
  CHECK(usage_message("1.2.3") != "accepted");
  CHECK(usage_message(".") != "accepted");
  CHECK(usage_message("1 s") != "accepted");
  CHECK(usage_message("99999999h") == "invalid value \"99999999h\" for --timeout: too long");
}

TEST_CASE("positive whole numbers") {
  CHECK(parse_positive("--parties", "8") == 8);
  CHECK_THROWS_WITH_AS(parse_positive("--parties", "0"),
                       "invalid value \"0\" for --parties: must be at least 1", UsageError);
  CHECK_THROWS_WITH_AS(parse_positive("--parties", "abc"),
                       "invalid value \"abc\" for --parties: expected a whole number", UsageError);
  CHECK_THROWS_AS(parse_positive("--parties", "-2"), UsageError);
  CHECK_THROWS_AS(parse_positive("--parties", "8x"), UsageError);
  CHECK_THROWS_AS(parse_positive("--parties", ""), UsageError);
  CHECK_THROWS_WITH_AS(parse_positive("--parties", "99999999999999999999"),
                       "invalid value \"99999999999999999999\" for --parties: too large",
                       UsageError);
}

TEST_CASE("durations for messages") {
  CHECK(format_duration(milliseconds(250)) == "250ms");
  CHECK(format_duration(milliseconds(30'000)) == "30s");
  CHECK(format_duration(milliseconds(19'999)) == "19.9s");
  CHECK(format_duration(milliseconds(90'000)) == "1m30s");
  CHECK(format_duration(milliseconds(86'399'000)) == "23h59m");
}

TEST_CASE("poll timeouts") {
  CHECK(poll_timeout_ms(k_never) == -1);
  CHECK(poll_timeout_ms(k_never, milliseconds(40)) == 40);
  CHECK(poll_timeout_ms(Clock::now() - milliseconds(5)) == 0);
  const int ms = poll_timeout_ms(Clock::now() + milliseconds(500), milliseconds(100));
  CHECK(ms == 100);
}
