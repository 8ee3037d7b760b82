// SPDX-License-Identifier: Apache-2.0
// Unit tests: Redis error replies and the exit statuses they mean.
#include <doctest/doctest.h>

#include "util/error.hpp"

using namespace rbarrier;

TEST_CASE("Redis error replies map to exit codes") {
  for (const char* transient :
       {"LOADING Redis is loading the dataset in memory", "BUSY Redis is busy running a script",
        "READONLY You can't write against a read only replica.",
        "MASTERDOWN Link with MASTER is down",
        "TRYAGAIN Multiple keys request during rehashing of slot",
        "CLUSTERDOWN The cluster is down",
        "OOM command not allowed when used memory > 'maxmemory'.",
        "ERR max number of clients reached"}) {
    CHECK_MESSAGE(classify_redis_error(transient) == ExitCode::transient, transient);
  }
  for (const char* auth :
       {"WRONGPASS invalid username-password pair or user is disabled.",
        "NOAUTH Authentication required.",
        "NOPERM this user has no permissions to run the 'eval' command",
        "ERR Protocol error: unauthenticated multibulk length", "ERR invalid password",
        "ERR The user executing the script can't run this command or subcommand script: x"}) {
    CHECK_MESSAGE(classify_redis_error(auth) == ExitCode::auth, auth);
  }
  CHECK(classify_redis_error("ERR unknown command 'EVALSHA'") == ExitCode::internal);
  CHECK(classify_redis_error("WRONGTYPE Operation against a key holding the wrong kind of value") ==
        ExitCode::internal);
  CHECK(classify_redis_error("") == ExitCode::internal);
  // a transient word must be the first word, not merely appear in the text
  CHECK(classify_redis_error("ERR something LOADING") == ExitCode::internal);
}

TEST_CASE("a full server's refusal says what to do") {
  const auto text = explain_redis_error("ERR max number of clients reached");
  CHECK(text.starts_with("ERR max number of clients reached ("));
  CHECK(text.find("maxclients") != std::string::npos);
  CHECK(text.find("holds one connection") != std::string::npos);
  CHECK(explain_redis_error("ERR other") == "ERR other");
}

TEST_CASE("a server that wants a password says how to give one") {
  for (const char* refusal : {"NOAUTH Authentication required.",
                              "ERR Protocol error: unauthenticated multibulk length"}) {
    const auto text = explain_redis_error(refusal);
    CHECK(text.starts_with("the server needs a password: give it with --password-file FILE, "
                           "RBARRIER_PASSWORD or the URL"));
    CHECK(text.ends_with(refusal));
  }
  CHECK(explain_redis_error("WRONGPASS invalid username-password pair") ==
        "WRONGPASS invalid username-password pair");
}

TEST_CASE("an error inside a script, as Redis before 7 wraps it, is classified by what it is") {
  const std::string wrapped =
      "ERR Error running script (call to f_8fb5fc31): @user_script:117: @user_script: 117: "
      "-READONLY You can't write against a read only replica.   ";
  CHECK(classify_redis_error(wrapped) == ExitCode::transient);
  CHECK(explain_redis_error(wrapped) == "READONLY You can't write against a read only replica.");
  CHECK(classify_redis_error("ERR Error running script (call to f_1): @user_script:1: "
                             "@user_script: 1: -OOM command not allowed") == ExitCode::transient);
  CHECK(classify_redis_error("ERR Error running script (call to f_1): @user_script:1: "
                             "@user_script: 1: -NOPERM this user has no permissions") ==
        ExitCode::auth);
  CHECK(classify_redis_error("ERR Error running script (call to f_1): user_script:3: oops") ==
        ExitCode::internal);
}
