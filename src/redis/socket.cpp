// SPDX-License-Identifier: Apache-2.0
// A non-blocking TCP or unix socket whose every wait is bounded and woken by signals.
#include "redis/socket.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <utility>

#include "redis/wait_fd.hpp"
#include "util/error.hpp"

namespace rbarrier::redis {

namespace {

class Fd {
public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }
  int release() { return std::exchange(m_fd, -1); }

private:
  int m_fd;
};

// Starts a non-blocking connect and waits for it; returns the socket or -1 with `error` set.
int connect_one(int family, int type, int protocol, const sockaddr* address, socklen_t length,
                Deadline deadline, int wake_fd, std::string& error) {
  Fd fd(::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (fd.get() < 0) {
    error = std::strerror(errno);
    return -1;
  }
  if (::connect(fd.get(), address, length) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) {
      error = std::strerror(errno);
      return -1;
    }
    if (!wait_fd(fd.get(), POLLOUT, wake_fd, deadline)) {
      error = "timed out";
      return -1;
    }
    int so_error = 0;
    socklen_t so_length = sizeof so_error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &so_length);
    if (so_error != 0) {
      error = std::strerror(so_error);
      return -1;
    }
  }
  if (family != AF_UNIX) {
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  }
  return fd.release();
}

} // namespace

Socket::Socket(const Endpoint& endpoint, Deadline deadline, int wake_fd, const TlsContext* tls)
    : m_wake_fd(wake_fd), m_peer(endpoint.display()) {
  std::string error;
  if (endpoint.kind == Endpoint::Kind::unix_socket) {
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    if (endpoint.path.size() >= sizeof address.sun_path) {
      throw UsageError(fmt::format("unix socket path too long: \"{}\"", endpoint.path));
    }
    std::memcpy(address.sun_path, endpoint.path.data(), endpoint.path.size());
    m_fd = connect_one(AF_UNIX, SOCK_STREAM, 0, reinterpret_cast<sockaddr*>(&address),
                       sizeof address, deadline, wake_fd, error);
  } else {
    addrinfo hints = {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(endpoint.port);
    if (const int rc = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found);
        rc != 0) {
      throw ConnectionError(
          fmt::format("cannot resolve \"{}\": {}", endpoint.host, ::gai_strerror(rc)));
    }
    // Freed also when a connect throws: a signal (Interrupted) ends the wait for it.
    const std::unique_ptr<addrinfo, void (*)(addrinfo*)> addresses(found, ::freeaddrinfo);
    for (addrinfo* ai = addresses.get(); ai != nullptr && m_fd < 0; ai = ai->ai_next) {
      m_fd = connect_one(ai->ai_family, ai->ai_socktype, ai->ai_protocol, ai->ai_addr,
                         ai->ai_addrlen, deadline, wake_fd, error);
    }
  }
  if (m_fd < 0) {
    throw ConnectionError(fmt::format("cannot connect to {}: {}", m_peer, error));
  }
  if (tls != nullptr) {
    try {
      m_tls = std::make_unique<TlsStream>(*tls, m_fd, endpoint.host, wake_fd, deadline);
    } catch (const ConnectionError& failure) {
      ::close(m_fd);
      m_fd = -1;
      throw ConnectionError(fmt::format("cannot connect to {}: {}", m_peer, failure.what()));
    } catch (...) { // a signal during the handshake: no destructor closes it
      ::close(m_fd);
      m_fd = -1;
      throw;
    }
  }
}

Socket::~Socket() {
  m_tls.reset();
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

Socket::Socket(Socket&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_wake_fd(other.m_wake_fd),
      m_peer(std::move(other.m_peer)), m_tls(std::move(other.m_tls)) {}

bool Socket::wait_for(short events, Deadline deadline) {
  return wait_fd(m_fd, events, m_wake_fd, deadline);
}

void Socket::write_all(std::string_view data, Deadline deadline) {
  if (m_tls) {
    try {
      m_tls->write_all(data, deadline);
    } catch (const TimeoutError& error) {
      throw TimeoutError(fmt::format("{} to {}", error.what(), m_peer));
    } catch (const ConnectionError& error) {
      throw ConnectionError(fmt::format("lost connection to {}: {}", m_peer, error.what()));
    }
    return;
  }
  while (!data.empty()) {
    const auto written = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (written > 0) {
      data.remove_prefix(static_cast<std::size_t>(written));
      continue;
    }
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(POLLOUT, deadline)) {
        throw TimeoutError(fmt::format("timed out writing to {}", m_peer));
      }
      continue;
    }
    throw ConnectionError(fmt::format("lost connection to {}: {}", m_peer, std::strerror(errno)));
  }
}

std::size_t Socket::read_some(char* buffer, std::size_t size, Deadline deadline) {
  if (m_tls) {
    try {
      return m_tls->read_some(buffer, size, deadline);
    } catch (const ConnectionError& error) {
      throw ConnectionError(fmt::format("lost connection to {}: {}", m_peer, error.what()));
    }
  }
  for (;;) {
    const auto got = ::recv(m_fd, buffer, size, 0);
    if (got > 0) {
      return static_cast<std::size_t>(got);
    }
    if (got == 0) {
      throw ConnectionError(fmt::format("lost connection to {}: closed by the server", m_peer));
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      throw ConnectionError(fmt::format("lost connection to {}: {}", m_peer, std::strerror(errno)));
    }
    if (!wait_for(POLLIN, deadline)) {
      return 0;
    }
  }
}

} // namespace rbarrier::redis
