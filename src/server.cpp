// SPDX-License-Identifier: Apache-2.0
// Where the server is and how to log in, resolved once from the ServerOptions.
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

Server resolve_server(const ServerOptions& options, Deadline deadline) {
  Server server;
  redis::Endpoint& endpoint = server.endpoint;
  endpoint = redis::parse_url(options.url);
  if (endpoint.tls || options.tls.enabled) {
    if (endpoint.kind != redis::Endpoint::Kind::tcp) {
      throw UsageError("--tls needs a redis:// or rediss:// URL");
    }
    endpoint.tls = true;
  }
  if (!options.sentinels.empty()) {
    endpoint.sentinels = options.sentinels;
    endpoint.master = options.master;
  }
  server.password_on_command_line =
      endpoint.password && !endpoint.password->empty() && options.url_from_command_line;
  redis::Credentials& credentials = server.credentials;
  credentials.user = options.user ? options.user : endpoint.user;
  if (options.password_file) {
    credentials.password = read_password_file(*options.password_file, deadline);
  } else if (endpoint.password) {
    credentials.password = endpoint.password;
  } else {
    credentials.password = options.password;
  }
  return server;
}

} // namespace rbarrier
