#include <doctest/doctest.h>

#include "redis/cluster.hpp"
#include "util/error.hpp"

using namespace rbarrier;
using redis::parse_redirection;

TEST_CASE("MOVED and ASK name a node") {
  const auto moved = parse_redirection("MOVED 3999 10.0.0.7:6381");
  REQUIRE(moved);
  CHECK(moved->moved);
  CHECK(moved->host == "10.0.0.7");
  CHECK(moved->port == 6381);
  const auto ask = parse_redirection("ASK 12182 redis-2.internal:7000");
  REQUIRE(ask);
  CHECK_FALSE(ask->moved);
  CHECK(ask->host == "redis-2.internal");
  CHECK(ask->port == 7000);
  // An empty host: the node that answered, on another port.
  const auto same = parse_redirection("MOVED 1 :6390");
  REQUIRE(same);
  CHECK_FALSE(same->host);
  CHECK(same->port == 6390);
  // IPv6: the port follows the last colon.
  CHECK(parse_redirection("MOVED 1 ::1:6390")->host == "::1");
}

TEST_CASE("other errors are not redirections") {
  CHECK_FALSE(parse_redirection("READONLY You can't write against a read only replica."));
  CHECK_FALSE(parse_redirection("ERR MOVED somewhere"));
  CHECK_FALSE(parse_redirection("MOVEDX 1 a:1"));
}

TEST_CASE("a redirection without a valid address is a protocol error") {
  for (const char* error : {"MOVED 3999 nowhere", "MOVED 3999 host:", "ASK 1 host:port",
                            "MOVED 1 host:70000", "ASK 1 host:0", "MOVED 1 host:12x"}) {
    CAPTURE(error);
    CHECK_THROWS_AS(parse_redirection(error), ProtocolError);
  }
}
