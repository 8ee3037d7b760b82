// SPDX-License-Identifier: Apache-2.0
// Where the server is and how to log in, parsed from a URL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rbarrier::redis {

// Where the server is and how to log in, as given by a URL:
//   redis://[[user]:password@]host[:port][/db]   rediss://… (TLS)   unix:///path.sock[?db=N]
//   redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/MASTER[/db]
struct Endpoint {
  enum class Kind { tcp, unix_socket };
  Kind kind = Kind::tcp;
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string path; // unix socket
  int db = 0;
  bool tls = false;
  std::optional<std::string> user;
  std::optional<std::string> password;
  // Sentinel: where to ask for the master named `master`; host and port are then the master's.
  struct Address {
    std::string host;
    int port = 26379;
    bool operator==(const Address&) const = default;
  };
  std::vector<Address> sentinels;
  std::string master;

  // The address for messages: never the password.
  std::string display() const;
};

// Throws UsageError with the reason, naming the URL without its password.
Endpoint parse_url(std::string_view url);

// "host[:port]" with `default_port`, for --sentinel; throws UsageError naming `what`.
Endpoint::Address parse_address(std::string_view text, int default_port, std::string_view what);

// The URL with any password replaced by "********", for messages.
std::string redact_url(std::string_view url);

} // namespace rbarrier::redis
