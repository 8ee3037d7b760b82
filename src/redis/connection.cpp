// SPDX-License-Identifier: Apache-2.0
// One connection to a Redis server, logged in and on its database.
#include "redis/connection.hpp"

#include <array>
#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include "util/error.hpp"

namespace rbarrier::redis {

namespace {

std::string format_command(const std::vector<std::string>& argv) {
  std::vector<const char*> pointers;
  std::vector<std::size_t> lengths;
  pointers.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const auto& arg : argv) {
    pointers.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* encoded = nullptr;
  const int length = redisFormatCommandArgv(&encoded, static_cast<int>(argv.size()),
                                            pointers.data(), lengths.data());
  if (length < 0 || encoded == nullptr) {
    throw Error(ExitCode::internal, "out of memory encoding a command");
  }
  std::string out(encoded, static_cast<std::size_t>(length));
  redisFreeCommand(encoded);
  return out;
}

} // namespace

Connection::Connection(const Endpoint& endpoint, const Credentials& credentials, Deadline deadline,
                       int wake_fd, const TlsContext* tls)
    : m_socket(endpoint, deadline, wake_fd, tls), m_peer(endpoint.display()) {
  if (credentials.password) {
    std::vector<std::string> auth{"AUTH"};
    if (credentials.user) {
      auth.push_back(*credentials.user);
    }
    auth.push_back(*credentials.password);
    const Reply reply = command(auth, deadline);
    if (reply.is_error() && classify_redis_error(reply.str) == ExitCode::transient) {
      reply.check(); // not a refusal: a full or loading server answers AUTH so too
    }
    if (reply.is_error() && credentials.user &&
        reply.str.find("wrong number of arguments") != std::string::npos) {
      throw RedisError(ExitCode::auth,
                       fmt::format("authentication refused by {}: it has no ACL users (Redis "
                                   "before 6): give no --user, RBARRIER_USER or user in the URL",
                                   m_peer));
    }
    if (reply.is_error()) {
      throw RedisError(ExitCode::auth,
                       fmt::format("authentication refused by {}: {}", m_peer, reply.str));
    }
  }
  if (endpoint.db != 0) {
    select(endpoint.db, deadline);
  }
}

Connection::~Connection() = default;

void Connection::select(std::int64_t db, Deadline deadline) {
  const Reply reply = command({"SELECT", std::to_string(db)}, deadline);
  if (!reply.is_error() || classify_redis_error(reply.str) == ExitCode::transient) {
    reply.check();
    return;
  }
  // The URL named a database the server does not have: a wrong command line, not a failure.
  if (reply.str.find("out of range") != std::string::npos) {
    throw Error(ExitCode::usage,
                fmt::format("{} has no database {} (its databases setting; the URL's /DB or ?db= "
                            "names one from 0)",
                            m_peer, db));
  }
  if (reply.str.find("cluster mode") != std::string::npos) {
    throw Error(ExitCode::usage,
                fmt::format("{} is a Redis Cluster node, which has only database 0: give no /DB "
                            "or ?db= in the URL",
                            m_peer));
  }
  reply.check();
}

void Connection::send(const std::vector<std::string>& argv, Deadline deadline) {
  m_socket.write_all(format_command(argv), deadline);
}

Reply Connection::command(const std::vector<std::string>& argv, Deadline deadline) {
  try {
    send(argv, deadline);
  } catch (const ConnectionError&) {
    // A server that turns a connection away (maxclients) says why and closes it, so the write
    // can fail before the reason is read: then the reason is the reply.
    if (auto refusal = pending_error()) {
      return std::move(*refusal);
    }
    throw;
  }
  auto reply = receive(deadline);
  if (!reply) {
    throw TimeoutError(fmt::format("{} did not answer {} in time", m_peer, argv[0]));
  }
  return std::move(*reply);
}

std::optional<Reply> Connection::pending_error() {
  try {
    auto reply = receive(Clock::now());
    if (reply && reply->is_error()) {
      return reply;
    }
  } catch (const Error&) {
  }
  return std::nullopt;
}

std::optional<Reply> Connection::receive(Deadline deadline) {
  std::array<char, 16 * 1024> buffer; // not zeroed: read_some fills what is used
  try {
    for (;;) {
      if (auto reply = m_reader.next()) {
        return reply;
      }
      const std::size_t got = m_socket.read_some(buffer.data(), buffer.size(), deadline);
      if (got == 0) {
        return std::nullopt;
      }
      m_reader.feed(buffer.data(), got);
    }
  } catch (const ProtocolError& error) {
    throw ProtocolError(fmt::format("{} from {}", error.what(), m_peer));
  }
}

} // namespace rbarrier::redis
