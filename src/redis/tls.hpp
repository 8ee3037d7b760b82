// SPDX-License-Identifier: Apache-2.0
// TLS: the OpenSSL client context and a socket's handshake and verification.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/duration.hpp"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace rbarrier::redis {

// TLS settings, named as redis-cli names them.
struct TlsOptions {
  bool enabled = false; // --tls, or a rediss:// URL
  std::optional<std::string> cacert;
  std::optional<std::string> cacertdir;
  std::optional<std::string> cert;
  std::optional<std::string> key;
  std::optional<std::string> sni;
  bool insecure = false;
};

// An OpenSSL client context made once per process from the options: the trusted certificates,
// and the client certificate if any. Throws UsageError for files it cannot use.
class TlsContext {
public:
  explicit TlsContext(const TlsOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* get() const { return m_ctx.get(); }
  const TlsOptions& options() const { return m_options; }

private:
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> m_ctx;
  TlsOptions m_options;
};

// The TLS side of one connection, over a connected non-blocking socket.
class TlsStream {
public:
  // Handshakes, verifying the server's certificate against `host` (or --sni) unless --insecure.
  // Throws ConnectionError with OpenSSL's reason (the verification error when there is one).
  TlsStream(const TlsContext& context, int fd, const std::string& host, int wake_fd,
            Deadline deadline);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // As Socket's: 0 when the deadline passed first; ConnectionError when the connection ended.
  std::size_t read_some(char* buffer, std::size_t size, Deadline deadline);
  void write_all(std::string_view data, Deadline deadline);

private:
  // Waits for what OpenSSL asked for after `result`; false when the deadline passed.
  bool wait(int result, Deadline deadline);

  std::unique_ptr<SSL, void (*)(SSL*)> m_ssl;
  int m_fd;
  int m_wake_fd;
};

} // namespace rbarrier::redis
