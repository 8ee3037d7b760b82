// SPDX-License-Identifier: Apache-2.0
// Unit tests: Cluster redirections and slots.
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

namespace {

redis::Reply bulk(std::string text) {
  redis::Reply reply;
  reply.type = redis::Reply::Type::string;
  reply.str = std::move(text);
  return reply;
}

redis::Reply integer(std::int64_t value) {
  redis::Reply reply;
  reply.type = redis::Reply::Type::integer;
  reply.integer = value;
  return reply;
}

redis::Reply array(std::vector<redis::Reply> elements) {
  redis::Reply reply;
  reply.type = redis::Reply::Type::array;
  reply.elements = std::move(elements);
  return reply;
}

redis::Reply node(std::string host, std::int64_t port) {
  return array({bulk(std::move(host)), integer(port), bulk("0123abcd")});
}

} // namespace

TEST_CASE("CLUSTER SLOTS names every master and replica once") {
  const auto slots = array({
      array({integer(0), integer(5460), node("127.0.0.1", 7000), node("127.0.0.1", 7003)}),
      array({integer(5461), integer(10922), node("", 7001), node("10.0.0.4", 7004)}),
      array({integer(10923), integer(16383), node("127.0.0.1", 7000)}),
  });
  const auto nodes = redis::parse_cluster_nodes(slots, "db.example");
  REQUIRE(nodes.size() == 4);
  CHECK(nodes[0] == redis::Endpoint::Address{"127.0.0.1", 7000});
  CHECK(nodes[1] == redis::Endpoint::Address{"127.0.0.1", 7003});
  CHECK(nodes[2] == redis::Endpoint::Address{"db.example", 7001});
  CHECK(nodes[3] == redis::Endpoint::Address{"10.0.0.4", 7004});
  CHECK(redis::parse_cluster_nodes(array({}), "h").empty());
}

TEST_CASE("a malformed CLUSTER SLOTS reply is a protocol error") {
  CHECK_THROWS_AS(redis::parse_cluster_nodes(bulk("OK"), "h"), ProtocolError);
  CHECK_THROWS_AS(
      redis::parse_cluster_nodes(array({array({integer(0), integer(1), array({bulk("h")})})}), "h"),
      ProtocolError);
  CHECK_THROWS_AS(
      redis::parse_cluster_nodes(array({array({integer(0), integer(1), node("h", 0)})}), "h"),
      ProtocolError);
}
