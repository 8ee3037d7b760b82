// SPDX-License-Identifier: Apache-2.0
#include "server.hpp"

#include <algorithm>

#include "util/error.hpp"
#include "util/file.hpp"

namespace rbarrier {

namespace {

// The file's first line, without its line end.
std::string read_password_file(const std::string& path, Deadline deadline) {
  std::string password = read_bounded(path, k_max_password_file, deadline, "--password-file");
  password.erase(std::min(password.find('\n'), password.size()));
  if (!password.empty() && password.back() == '\r') {
    password.pop_back();
  }
  return password;
}

} // namespace

Server resolve_server(const GlobalOptions& global, Deadline deadline) {
  Server server;
  redis::Endpoint& endpoint = server.endpoint;
  endpoint = redis::parse_url(global.url);
  if (endpoint.tls || global.tls.enabled) {
    if (endpoint.kind != redis::Endpoint::Kind::tcp) {
      throw UsageError("--tls needs a redis:// or rediss:// URL");
    }
    endpoint.tls = true;
  }
  if (!global.sentinels.empty()) {
    endpoint.sentinels = global.sentinels;
    endpoint.master = global.master;
  }
  server.password_on_command_line =
      endpoint.password && !endpoint.password->empty() && global.url_from_command_line;
  redis::Credentials& credentials = server.credentials;
  credentials.user = global.user ? global.user : endpoint.user;
  if (global.password_file) {
    credentials.password = read_password_file(*global.password_file, deadline);
  } else if (endpoint.password) {
    credentials.password = endpoint.password;
  } else {
    credentials.password = global.password;
  }
  return server;
}

} // namespace rbarrier
