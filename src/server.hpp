// SPDX-License-Identifier: Apache-2.0
// Where the server is and how to log in, resolved once from the ServerOptions.
#pragma once

#include "options.hpp"
#include "redis/connection.hpp"
#include "redis/endpoint.hpp"

// Where the server is and how to log in, resolved from the options once, before any connection:
// the URL, --sentinel and --master, --tls, the user and the password from wherever it comes.
namespace rbarrier {

struct Server {
  redis::Endpoint endpoint; // with its Sentinels, and tls set by --tls too
  redis::Credentials credentials;
  // The password was given inside --url on the command line, where others can read it.
  bool password_on_command_line = false;
};

// Throws UsageError for what cannot work (--tls with a unix socket, an unreadable password file).
// The password comes from --password-file (read by `deadline`), else the URL, else
// RBARRIER_PASSWORD or REDISCLI_AUTH; the user from --user or RBARRIER_USER, else the URL.
Server resolve_server(const ServerOptions& options, Deadline deadline);

} // namespace rbarrier
