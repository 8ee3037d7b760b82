#include "redis/endpoint.hpp"

#include <charconv>
#include <fmt/format.h>

#include "util/error.hpp"

namespace rbarrier::redis {

namespace {

UsageError bad_url(std::string_view url, std::string_view why) {
  return UsageError(fmt::format("invalid Redis URL \"{}\": {}", redact_url(url), why));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string percent_decode(std::string_view url, std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      throw bad_url(url, "incomplete %-escape");
    }
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) {
      throw bad_url(url, "invalid %-escape");
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

int parse_number(std::string_view url, std::string_view text, std::string_view what, int max) {
  int value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0 ||
      value > max) {
    throw bad_url(url, fmt::format("invalid {} \"{}\"", what, text));
  }
  return value;
}

constexpr int k_max_db = 1 << 20;

void parse_unix(std::string_view url, std::string_view rest, Endpoint& endpoint) {
  endpoint.kind = Endpoint::Kind::unix_socket;
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (rest.empty() || rest[0] != '/') {
    throw bad_url(url, "expected unix:///absolute/path/to/redis.sock");
  }
  endpoint.path = percent_decode(url, rest);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (key == "db") {
      endpoint.db = parse_number(url, value, "database number", k_max_db);
    } else if (key == "password") {
      endpoint.password = percent_decode(url, value);
    } else if (key == "user") {
      endpoint.user = percent_decode(url, value);
    } else {
      throw bad_url(url, fmt::format("unknown parameter \"{}\"", key));
    }
  }
}

void parse_tcp(std::string_view url, std::string_view rest, Endpoint& endpoint) {
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      // redis://secret@host: redis-cli reads a lone userinfo as the password
      endpoint.password = percent_decode(url, userinfo);
    } else {
      if (colon > 0) {
        endpoint.user = percent_decode(url, userinfo.substr(0, colon));
      }
      endpoint.password = percent_decode(url, userinfo.substr(colon + 1));
    }
  }
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      throw bad_url(url, "unclosed '[' in the host");
    }
    endpoint.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        throw bad_url(url, "expected ':' after ']'");
      }
      port = after.substr(1);
      if (port.empty()) {
        throw bad_url(url, "empty port");
      }
    }
  } else {
    const auto colon = authority.find(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) {
        throw bad_url(url, "empty port");
      }
    }
  }
  if (endpoint.host.empty()) {
    throw bad_url(url, "no host");
  }
  if (!port.empty()) {
    endpoint.port = parse_number(url, port, "port", 65535);
    if (endpoint.port == 0) {
      throw bad_url(url, "invalid port \"0\"");
    }
  }
  if (!path.empty()) {
    endpoint.db = parse_number(url, path, "database number", k_max_db);
  }
}

} // namespace

std::string Endpoint::display() const {
  if (kind == Kind::unix_socket) {
    return fmt::format("unix://{}", path);
  }
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", tls ? "rediss" : "redis", v6 ? "[" : "", host, v6 ? "]" : "",
                     port);
}

Endpoint parse_url(std::string_view url) {
  Endpoint endpoint;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    throw bad_url(url, "expected redis://, rediss:// or unix://");
  }
  const std::string_view scheme = url.substr(0, scheme_end);
  const std::string_view rest = url.substr(scheme_end + 3);
  if (scheme == "unix") {
    parse_unix(url, rest, endpoint);
  } else if (scheme == "redis" || scheme == "rediss") {
    endpoint.tls = scheme == "rediss";
    parse_tcp(url, rest, endpoint);
  } else {
    throw bad_url(url, fmt::format("unsupported scheme \"{}\"", scheme));
  }
  return endpoint;
}

std::string redact_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(url);
  }
  const auto start = scheme_end + 3;
  std::string out(url);
  const auto at = url.find('@', start);
  const auto slash = url.find('/', start);
  if (at != std::string_view::npos && (slash == std::string_view::npos || at < slash)) {
    const auto colon = url.find(':', start);
    const auto secret_start = colon != std::string_view::npos && colon < at ? colon + 1 : start;
    out.replace(secret_start, at - secret_start, "********");
  }
  if (const auto pw = out.find("password="); pw != std::string::npos) {
    const auto end = out.find('&', pw);
    out.replace(pw + 9, end == std::string::npos ? std::string::npos : end - pw - 9, "********");
  }
  return out;
}

} // namespace rbarrier::redis
