// SPDX-License-Identifier: Apache-2.0
// Where the server is and how to log in, parsed from a URL.
#include "redis/endpoint.hpp"

#include <charconv>
#include <fmt/format.h>

#include "util/error.hpp"
#include "util/text.hpp"

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

Endpoint::Address split_host_port(std::string_view url, std::string_view authority,
                                  int default_port);

// Takes "[user:]password@" off the front of `authority` into the endpoint's credentials.
std::string_view take_userinfo(std::string_view url, std::string_view authority,
                               Endpoint& endpoint) {
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) {
    return authority;
  }
  if (authority.find('@') != at) {
    // Where the password ends would be a guess: say so without showing any of the URL.
    throw UsageError("invalid Redis URL: more than one \"@\" before the host (write an \"@\" "
                     "in a user name or password as %40)");
  }
  const std::string_view userinfo = authority.substr(0, at);
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
  return authority.substr(at + 1);
}

void parse_tcp(std::string_view url, std::string_view rest, Endpoint& endpoint) {
  const auto slash = rest.find('/');
  const std::string_view authority = take_userinfo(url, rest.substr(0, slash), endpoint);
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  const Endpoint::Address address = split_host_port(url, authority, 6379);
  endpoint.host = address.host;
  endpoint.port = address.port;
  if (!path.empty()) {
    endpoint.db = parse_number(url, path, "database number", k_max_db);
  }
}

// host[:port] or [v6]:port.
Endpoint::Address split_host_port(std::string_view url, std::string_view authority,
                                  int default_port) {
  Endpoint::Address address;
  address.port = default_port;
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      throw bad_url(url, "unclosed '[' in the host");
    }
    address.host = std::string(authority.substr(1, close - 1));
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
    address.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) {
        throw bad_url(url, "empty port");
      }
    }
  }
  if (address.host.empty()) {
    throw bad_url(url, "no host");
  }
  if (!port.empty()) {
    address.port = parse_number(url, port, "port", 65535);
    if (address.port == 0) {
      throw bad_url(url, "invalid port \"0\"");
    }
  }
  return address;
}

void parse_sentinel(std::string_view url, std::string_view rest, Endpoint& endpoint) {
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    throw bad_url(url, "expected /MASTERNAME after the sentinels");
  }
  const std::string_view path = rest.substr(slash + 1);
  const auto db_slash = path.find('/');
  endpoint.master = std::string(path.substr(0, db_slash));
  if (endpoint.master.empty()) {
    throw bad_url(url, "no master name");
  }
  if (db_slash != std::string_view::npos) {
    endpoint.db = parse_number(url, path.substr(db_slash + 1), "database number", k_max_db);
  }
  // The credentials are the master's; the sentinels take none.
  std::string_view list = take_userinfo(url, rest.substr(0, slash), endpoint);
  for (;;) {
    const auto comma = list.find(',');
    endpoint.sentinels.push_back(split_host_port(url, list.substr(0, comma), 26379));
    if (comma == std::string_view::npos) {
      break;
    }
    list = list.substr(comma + 1);
  }
  endpoint.host = endpoint.sentinels.front().host; // until a sentinel names the master
  endpoint.port = endpoint.sentinels.front().port;
}

} // namespace

Endpoint::Address parse_address(std::string_view text, int default_port, std::string_view what) {
  try {
    return split_host_port(text, text, default_port);
  } catch (const UsageError&) {
    throw UsageError(
        fmt::format("invalid value {} for {}: expected HOST[:PORT]", quote(text), what));
  }
}

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
    throw bad_url(url, "expected redis://, rediss://, redis+sentinel:// or unix://");
  }
  const std::string_view scheme = url.substr(0, scheme_end);
  const std::string_view rest = url.substr(scheme_end + 3);
  if (scheme == "unix") {
    parse_unix(url, rest, endpoint);
  } else if (scheme == "redis" || scheme == "rediss") {
    endpoint.tls = scheme == "rediss";
    parse_tcp(url, rest, endpoint);
  } else if (scheme == "redis+sentinel") {
    parse_sentinel(url, rest, endpoint);
  } else {
    throw bad_url(url, fmt::format("unsupported scheme \"{}\"", scheme));
  }
  return endpoint;
}

std::string redact_url(std::string_view url) { return mask_credentials(url); }

} // namespace rbarrier::redis
