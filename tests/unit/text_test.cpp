// SPDX-License-Identifier: Apache-2.0
// Unit tests: quoting, escaping and masking.
#include <doctest/doctest.h>

#include "util/text.hpp"

using namespace rbarrier;

TEST_CASE("control characters are escaped, other text kept") {
  CHECK(escape_controls("plain ünïcödé \"q\" \\") == "plain ünïcödé \"q\" \\");
  CHECK(escape_controls("one\ntwo\x1b[31mred\a\x7f") == "one\\x0atwo\\x1b[31mred\\x07\\x7f");
  CHECK(escape_controls("\xc2\x9b"
                        "2J \xc2\xa0") == "\\u009b2J \xc2\xa0");
  CHECK(escape_controls("cut \xc2") == "cut \xc2");
}

TEST_CASE("quote escapes quotes, backslashes and controls, and cuts long text") {
  CHECK(quote("a\"b\\c\n") == "\"a\\\"b\\\\c\\x0a\"");
  CHECK(quote("abcdef", 3) == "\"abc...\"");
  CHECK(quote("ab\xc2\x9b", 3) == "\"ab...\"");
}
