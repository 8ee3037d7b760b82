// SPDX-License-Identifier: Apache-2.0
// Unit tests: where the server is and how to log in.
#include <doctest/doctest.h>
#include <cstdio>
#include <fstream>

#include "server.hpp"
#include "util/error.hpp"

using namespace rbarrier;

namespace {

ServerOptions options(std::string url) {
  ServerOptions global;
  global.url = std::move(url);
  return global;
}

Deadline soon() { return Clock::now() + std::chrono::seconds(1); }

} // namespace

TEST_CASE("the password comes from the file, else the URL, else the environment") {
  const std::string path = "server_test_password";
  std::ofstream(path) << "from-file\r\nsecond line\n";
  auto global = options("redis://alice:from-url@h:7/2");
  global.password = "from-env";
  CHECK(resolve_server(global, soon()).credentials.password == "from-url");
  global.password_file = path;
  CHECK(resolve_server(global, soon()).credentials.password == "from-file");
  global.password_file.reset();
  global.url = "redis://h";
  CHECK(resolve_server(global, soon()).credentials.password == "from-env");
  std::remove(path.c_str());
  global.password_file = path;
  CHECK_THROWS_AS(resolve_server(global, soon()), UsageError);
}

TEST_CASE("the user comes from --user, else the URL") {
  auto global = options("redis://alice:pw@h");
  CHECK(resolve_server(global, soon()).credentials.user == "alice");
  global.user = "bob";
  CHECK(resolve_server(global, soon()).credentials.user == "bob");
  CHECK_FALSE(resolve_server(options("redis://h"), soon()).credentials.user);
}

TEST_CASE("a password in --url is flagged only when non-empty and on the command line") {
  auto global = options("redis://:secret@h");
  CHECK_FALSE(resolve_server(global, soon()).password_on_command_line);
  global.url_from_command_line = true;
  CHECK(resolve_server(global, soon()).password_on_command_line);
  global.url = "redis://:@h";
  CHECK_FALSE(resolve_server(global, soon()).password_on_command_line);
}

TEST_CASE("--tls, and --sentinel with --master, shape the endpoint") {
  auto global = options("redis://h:7");
  CHECK_FALSE(resolve_server(global, soon()).endpoint.tls);
  global.tls.enabled = true;
  CHECK(resolve_server(global, soon()).endpoint.tls);
  CHECK(resolve_server(options("rediss://h"), soon()).endpoint.tls);
  global.url = "unix:///run/redis.sock";
  CHECK_THROWS_WITH_AS(resolve_server(global, soon()), "--tls needs a redis:// or rediss:// URL",
                       UsageError);
  global = options("redis://h");
  global.sentinels = {{"s1", 26379}, {"s2", 26380}};
  global.master = "mymaster";
  const auto server = resolve_server(global, soon());
  CHECK(server.endpoint.sentinels.size() == 2);
  CHECK(server.endpoint.master == "mymaster");
}
