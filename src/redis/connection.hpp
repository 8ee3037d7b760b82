// SPDX-License-Identifier: Apache-2.0
// One connection to a Redis server, logged in and on its database.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/endpoint.hpp"
#include "redis/reply.hpp"
#include "redis/reply_reader.hpp"
#include "redis/socket.hpp"

namespace rbarrier::redis {

struct Credentials {
  std::optional<std::string> user;
  std::optional<std::string> password;
};

// One connection to a Redis server, logged in and on its database: commands go out encoded by
// hiredis's redisFormatCommandArgv and replies come back through a ReplyReader of its own.
// After any ConnectionError or ProtocolError the connection is unusable; make a new one.
class Connection {
public:
  // Connects, then AUTHs and SELECTs as the endpoint and credentials say. Throws ConnectionError
  // when the server cannot be reached, RedisError when it refuses the login.
  Connection(const Endpoint& endpoint, const Credentials& credentials, Deadline deadline,
             int wake_fd, const TlsContext* tls = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one command and returns its reply, which may be an error reply.
  Reply command(const std::vector<std::string>& argv, Deadline deadline);

  void send(const std::vector<std::string>& argv, Deadline deadline);

  // The next reply, waiting until `deadline`; nullopt when the deadline passed first.
  std::optional<Reply> receive(Deadline deadline);

  int fd() const { return m_socket.fd(); }
  // The server's address, for messages (never a password).
  const std::string& peer() const { return m_peer; }

private:
  // SELECT db; a database the server lacks is a usage error that names it.
  void select(std::int64_t db, Deadline deadline);
  // An error reply the server sent before closing the connection, if one is there to read.
  std::optional<Reply> pending_error();

  Socket m_socket;
  ReplyReader m_reader;
  std::string m_peer;
};

} // namespace rbarrier::redis
