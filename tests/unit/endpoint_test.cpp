// SPDX-License-Identifier: Apache-2.0
// Unit tests: URLs parsed into endpoints.
#include <doctest/doctest.h>

#include "redis/endpoint.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

using namespace rbarrier;
using redis::Endpoint;
using redis::parse_url;

TEST_CASE("redis:// URLs") {
  Endpoint e = parse_url("redis://127.0.0.1:6379/0");
  CHECK(e.kind == Endpoint::Kind::tcp);
  CHECK(e.host == "127.0.0.1");
  CHECK(e.port == 6379);
  CHECK(e.db == 0);
  CHECK_FALSE(e.password);
  CHECK_FALSE(e.tls);

  e = parse_url("redis://redis.internal");
  CHECK(e.host == "redis.internal");
  CHECK(e.port == 6379);

  e = parse_url("redis://alice:p%40ss@db.example:6380/2");
  CHECK(e.user == "alice");
  CHECK(e.password == "p@ss");
  CHECK(e.host == "db.example");
  CHECK(e.port == 6380);
  CHECK(e.db == 2);

  e = parse_url("redis://:secret@h");
  CHECK_FALSE(e.user);
  CHECK(e.password == "secret");

  e = parse_url("redis://secret@h");
  CHECK(e.password == "secret");

  e = parse_url("redis://[::1]:7000/1");
  CHECK(e.host == "::1");
  CHECK(e.port == 7000);
  CHECK(e.display() == "redis://[::1]:7000");

  CHECK(parse_url("rediss://h").tls);
}

TEST_CASE("unix:// URLs") {
  Endpoint e = parse_url("unix:///run/redis/redis.sock");
  CHECK(e.kind == Endpoint::Kind::unix_socket);
  CHECK(e.path == "/run/redis/redis.sock");
  CHECK(e.db == 0);
  e = parse_url("unix:///tmp/r%20s.sock?db=3");
  CHECK(e.path == "/tmp/r s.sock");
  CHECK(e.db == 3);
  CHECK(e.display() == "unix:///tmp/r s.sock");
}

TEST_CASE("redis+sentinel:// URLs") {
  Endpoint e = parse_url("redis+sentinel://:pw@s1:26380,s2,[::1]:26381/mymaster/2");
  REQUIRE(e.sentinels.size() == 3);
  CHECK(e.sentinels[0].host == "s1");
  CHECK(e.sentinels[0].port == 26380);
  CHECK(e.sentinels[1].host == "s2");
  CHECK(e.sentinels[1].port == 26379);
  CHECK(e.sentinels[2].host == "::1");
  CHECK(e.master == "mymaster");
  CHECK(e.db == 2);
  CHECK(e.password == "pw");
  CHECK_FALSE(e.user);
  e = parse_url("redis+sentinel://u:p@s1/m");
  CHECK(e.user == "u");
  CHECK(e.db == 0);
  CHECK_THROWS_WITH_AS(
      parse_url("redis+sentinel://s1"),
      "invalid Redis URL \"redis+sentinel://s1\": expected /MASTERNAME after the sentinels",
      UsageError);
  CHECK_THROWS_AS(parse_url("redis+sentinel://s1/"), UsageError);
  CHECK_THROWS_AS(parse_url("redis+sentinel://s1,/m"), UsageError);
  CHECK_THROWS_AS(parse_url("redis+sentinel://s1:0/m"), UsageError);
  CHECK(redis::parse_address("h:1", 26379, "--sentinel").port == 1);
  CHECK(redis::parse_address("h", 26379, "--sentinel").port == 26379);
  CHECK_THROWS_WITH_AS(redis::parse_address("h:x", 26379, "--sentinel"),
                       "invalid value \"h:x\" for --sentinel: expected HOST[:PORT]", UsageError);
}

TEST_CASE("invalid URLs are usage errors with the reason") {
  CHECK_THROWS_WITH_AS(parse_url("localhost:6379"),
                       "invalid Redis URL \"localhost:6379\": expected redis://, rediss://, "
                       "redis+sentinel:// or unix://",
                       UsageError);
  CHECK_THROWS_WITH_AS(parse_url("http://h"),
                       "invalid Redis URL \"http://h\": unsupported scheme \"http\"", UsageError);
  CHECK_THROWS_WITH_AS(parse_url("redis://h:70000"),
                       "invalid Redis URL \"redis://h:70000\": invalid port \"70000\"", UsageError);
  CHECK_THROWS_WITH_AS(parse_url("redis://h/x"),
                       "invalid Redis URL \"redis://h/x\": invalid database number \"x\"",
                       UsageError);
  CHECK_THROWS_AS(parse_url("redis://"), UsageError);
  CHECK_THROWS_AS(parse_url("redis://h:"), UsageError);
  CHECK_THROWS_AS(parse_url("redis://h:0"), UsageError);
  CHECK_THROWS_AS(parse_url("redis://[::1"), UsageError);
  CHECK_THROWS_AS(parse_url("redis://a:b%2@h"), UsageError);
  CHECK_THROWS_AS(parse_url("unix://relative"), UsageError);
  CHECK_THROWS_AS(parse_url("unix:///x?db=-1"), UsageError);
  CHECK_THROWS_AS(parse_url("unix:///x?color=red"), UsageError);
}

TEST_CASE("messages never show the password") {
  CHECK(redis::redact_url("redis://alice:hunter2@h:1/0") == "redis://alice:********@h:1/0");
  CHECK(redis::redact_url("redis://hunter2@h") == "redis://********@h");
  CHECK(redis::redact_url("unix:///s?db=1&password=hunter2") == "unix:///s?db=1&password=********");
  CHECK(redis::redact_url("redis://h:1/0") == "redis://h:1/0");
  try {
    parse_url("redis://alice:hunter2@h:99999");
    FAIL("accepted");
  } catch (const UsageError& error) {
    CHECK(std::string(error.what()).find("hunter2") == std::string::npos);
  }
  CHECK(parse_url("redis://alice:hunter2@h").display() == "redis://h:6379");
  // The parser takes the password up to the last "@": the mask goes as far.
  CHECK(redis::redact_url("redis://a@b:S3cretPw@127.0.0.1:0") ==
        "redis://a@b:********@127.0.0.1:0");
  CHECK(redis::redact_url("redis://x@S3cretPw@h") == "redis://********@h");
  CHECK(redis::redact_url("redis://:pa/ss@h") == "redis://:********@h");
  CHECK(redis::redact_url("redis://:pa/ss:x@h/0") == "redis://:********@h/0");
}

TEST_CASE("a raw @ in the user name or password is refused without echoing the URL") {
  try {
    parse_url("redis://a@b:S3cretPw@127.0.0.1:0");
    FAIL("accepted");
  } catch (const UsageError& error) {
    const std::string message = error.what();
    CHECK(message.find("S3cretPw") == std::string::npos);
    CHECK(message.find("127.0.0.1") == std::string::npos);
    CHECK(message.find("%40") != std::string::npos);
  }
  const auto endpoint = parse_url("redis://a%40b:S3cret%40Pw@127.0.0.1:7");
  CHECK(endpoint.user == "a@b");
  CHECK(endpoint.password == "S3cret@Pw");
  CHECK(endpoint.port == 7);
}

TEST_CASE("credentials are masked wherever a message carries them") {
  CHECK(mask_credentials("invalid value \"--url=redis://:S3cretPw@h\" for --ttl") ==
        "invalid value \"--url=redis://:********@h\" for --ttl");
  CHECK(mask_credentials("not expected: redis://:my secret@h") ==
        "not expected: redis://:********@h");
  CHECK(mask_credentials("a unix:///s?password=pw&db=1 b") ==
        "a unix:///s?password=********&db=1 b");
  CHECK(mask_credentials("lost connection to redis://127.0.0.1:6379: reset") ==
        "lost connection to redis://127.0.0.1:6379: reset");
  CHECK(mask_credentials("no url@here") == "no url@here");
}
