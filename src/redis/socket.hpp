// SPDX-License-Identifier: Apache-2.0
// A non-blocking TCP or unix socket whose every wait is bounded and woken by signals.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "redis/endpoint.hpp"
#include "redis/tls.hpp"
#include "util/duration.hpp"

namespace rbarrier::redis {

// A non-blocking stream socket whose every wait is a poll(2) bounded by a deadline and woken by
// `wake_fd` (the signal pipe), so nothing here can block past either.
class Socket {
public:
  // Connects to the endpoint (each address DNS gives, in turn), then handshakes TLS when `tls`
  // is given; throws ConnectionError.
  Socket(const Endpoint& endpoint, Deadline deadline, int wake_fd, const TlsContext* tls);
  ~Socket();
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&&) = delete;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int fd() const { return m_fd; }

  void write_all(std::string_view data, Deadline deadline);

  // Reads what is there, waiting until `deadline` for something; returns 0 when the deadline
  // passed first. Throws ConnectionError when the peer closed or the socket failed.
  std::size_t read_some(char* buffer, std::size_t size, Deadline deadline);

private:
  bool wait_for(short events, Deadline deadline);

  int m_fd = -1;
  int m_wake_fd = -1;
  std::string m_peer;
  std::unique_ptr<TlsStream> m_tls;
};

} // namespace rbarrier::redis
