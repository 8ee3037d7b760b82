// SPDX-License-Identifier: Apache-2.0
// TLS: the OpenSSL client context and a socket's handshake and verification.
#include "redis/tls.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include "redis/wait_fd.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/text.hpp"

namespace rbarrier::redis {

namespace {

// OpenSSL's queued error, or `otherwise` when there is none (the peer just closed).
std::string openssl_error(std::string_view otherwise = "closed by the server") {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return std::string(otherwise);
  }
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool is_ip_address(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

} // namespace

TlsContext::TlsContext(const TlsOptions& options)
    : m_ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free), m_options(options) {
  SSL_CTX* ctx = m_ctx.get();
  if (ctx == nullptr) {
    throw Error(ExitCode::internal,
                fmt::format("cannot create a TLS context: {}", openssl_error()));
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  for (const auto& [file, option] :
       {std::pair{options.cacert, "--cacert"}, std::pair{options.cert, "--cert"},
        std::pair{options.key, "--key"}}) {
    if (file) {
      check_regular_file(*file, k_max_tls_file, option);
    }
  }
  if (options.cacert || options.cacertdir) {
    if (SSL_CTX_load_verify_locations(ctx, options.cacert ? options.cacert->c_str() : nullptr,
                                      options.cacertdir ? options.cacertdir->c_str() : nullptr) !=
        1) {
      throw UsageError(fmt::format("cannot load the CA certificates {}: {}",
                                   quote(options.cacert ? *options.cacert : *options.cacertdir),
                                   openssl_error()));
    }
  } else {
    SSL_CTX_set_default_verify_paths(ctx);
  }
  if (options.cert || options.key) {
    if (!options.cert || !options.key) {
      throw UsageError("--cert and --key go together");
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert->c_str()) != 1) {
      throw UsageError(
          fmt::format("cannot load --cert {}: {}", quote(*options.cert), openssl_error()));
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, options.key->c_str(), SSL_FILETYPE_PEM) != 1) {
      throw UsageError(
          fmt::format("cannot load --key {}: {}", quote(*options.key), openssl_error()));
    }
  }
  SSL_CTX_set_verify(ctx, options.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
}

TlsContext::~TlsContext() = default;

TlsStream::TlsStream(const TlsContext& context, int fd, const std::string& host, int wake_fd,
                     Deadline deadline)
    : m_ssl(SSL_new(context.get()), SSL_free), m_fd(fd), m_wake_fd(wake_fd) {
  SSL* ssl = m_ssl.get();
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    throw Error(ExitCode::internal, fmt::format("cannot set up TLS: {}", openssl_error()));
  }
  const std::string& name = context.options().sni ? *context.options().sni : host;
  if (!is_ip_address(name)) {
    SSL_set_tlsext_host_name(ssl, name.c_str());
  }
  if (!context.options().insecure) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (is_ip_address(name)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    }
  }
  for (;;) {
    const int result = SSL_connect(ssl);
    if (result == 1) {
      return;
    }
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      throw CertificateError(fmt::format("TLS certificate verification failed: {}",
                                         X509_verify_cert_error_string(verify)));
    }
    const int error = SSL_get_error(ssl, result);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      throw ConnectionError(fmt::format("TLS handshake failed: {}",
                                        openssl_error("connection closed during the handshake")));
    }
    if (!wait(result, deadline)) {
      throw ConnectionError("TLS handshake timed out");
    }
  }
}

TlsStream::~TlsStream() = default;

bool TlsStream::wait(int result, Deadline deadline) {
  const short events =
      SSL_get_error(m_ssl.get(), result) == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
  return wait_fd(m_fd, events, m_wake_fd, deadline);
}

std::size_t TlsStream::read_some(char* buffer, std::size_t size, Deadline deadline) {
  for (;;) {
    std::size_t got = 0;
    const int result = SSL_read_ex(m_ssl.get(), buffer, size, &got);
    if (result == 1) {
      return got;
    }
    const int error = SSL_get_error(m_ssl.get(), result);
    if (error == SSL_ERROR_ZERO_RETURN) {
      throw ConnectionError("closed by the server");
    }
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      throw ConnectionError(openssl_error());
    }
    if (!wait(result, deadline)) {
      return 0;
    }
  }
}

void TlsStream::write_all(std::string_view data, Deadline deadline) {
  while (!data.empty()) {
    std::size_t written = 0;
    const int result = SSL_write_ex(m_ssl.get(), data.data(), data.size(), &written);
    if (result == 1) {
      data.remove_prefix(written);
      continue;
    }
    const int error = SSL_get_error(m_ssl.get(), result);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      throw ConnectionError(openssl_error());
    }
    if (!wait(result, deadline)) {
      throw TimeoutError("timed out writing");
    }
  }
}

} // namespace rbarrier::redis
