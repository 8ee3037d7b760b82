// SPDX-License-Identifier: Apache-2.0
// Errors that end the command, and what Redis's error replies mean for the exit status.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "util/exit_code.hpp"

namespace rbarrier {

// An error that ends the command: its message is printed as "rbarrier: <message>" and the
// process exits with its code. Only main.cpp catches it for good.
class Error : public std::runtime_error {
public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
  ExitCode code() const { return m_code; }

private:
  ExitCode m_code;
};

struct UsageError : Error {
  explicit UsageError(const std::string& message) : Error(ExitCode::usage, message) {}
};

// The connection broke or could not be made; the operation may be retried on a new connection.
struct ConnectionError : Error {
  explicit ConnectionError(const std::string& message) : Error(ExitCode::unreachable, message) {}
};

// The server's TLS certificate failed verification. Unlike a ConnectionError it is not retried:
// another attempt would only fail the same way, and hide the reason behind a timeout.
struct CertificateError : Error {
  explicit CertificateError(const std::string& message) : Error(ExitCode::unreachable, message) {}
};

// The server accepted the connection but did not answer in time (stopped, overloaded, or the
// network dropped the connection silently).
struct TimeoutError : ConnectionError {
  explicit TimeoutError(const std::string& message) : ConnectionError(message) {}
};

// Redis answered with an error reply; code() says what it means for the exit status.
struct RedisError : Error {
  RedisError(ExitCode code, const std::string& message) : Error(code, message) {}
  bool transient() const { return code() == ExitCode::transient; }
};

// A reply this program did not expect (wrong type, wrong shape, too large).
struct ProtocolError : Error {
  explicit ProtocolError(const std::string& message) : Error(ExitCode::internal, message) {}
};

// A SIGINT or SIGTERM arrived while waiting for the server.
struct Interrupted : std::exception {
  explicit Interrupted(int signal_number) : signo(signal_number) {}
  const char* what() const noexcept override { return "interrupted"; }
  int signo;
};

// The exit code of a Redis error reply such as "WRONGPASS invalid username-password pair" (or of
// the error inside one that Redis before 7 wraps in "ERR Error running script ...").
ExitCode classify_redis_error(std::string_view message);

// The error a server sends a connection beyond its maxclients (then it closes the connection).
inline constexpr std::string_view k_max_clients = "ERR max number of clients reached";

// The error reply's text for a message (the error inside a wrapped script error), with what a
// user can do about it where that is known.
std::string explain_redis_error(std::string_view message);

} // namespace rbarrier
