// SPDX-License-Identifier: Apache-2.0
// One RESP2 reply, as a value the rest of the program inspects without hiredis.
#include "redis/reply.hpp"

#include <charconv>
#include <fmt/format.h>

#include "util/error.hpp"
#include "util/text.hpp"

namespace rbarrier::redis {

namespace {

ProtocolError unexpected(const Reply& reply, std::string_view what, std::string_view wanted) {
  return ProtocolError(
      fmt::format("unexpected reply for {}: wanted {}, got {}", what, wanted, reply.describe()));
}

} // namespace

const Reply& Reply::check() const {
  if (is_error()) {
    throw RedisError(classify_redis_error(str), explain_redis_error(str));
  }
  return *this;
}

const std::string& Reply::as_string(std::string_view what) const {
  check();
  if (type != Type::string && type != Type::status) {
    throw unexpected(*this, what, "a string");
  }
  return str;
}

std::int64_t Reply::as_integer(std::string_view what) const {
  check();
  if (type == Type::integer) {
    return integer;
  }
  if (type == Type::string) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(str.data(), str.data() + str.size(), value);
    if (!str.empty() && ec == std::errc() && end == str.data() + str.size()) {
      return value;
    }
  }
  throw unexpected(*this, what, "an integer");
}

const std::vector<Reply>& Reply::as_array(std::string_view what) const {
  check();
  if (type != Type::array) {
    throw unexpected(*this, what, "an array");
  }
  return elements;
}

std::string Reply::describe() const {
  switch (type) {
  case Type::nil:
    return "(nil)";
  case Type::integer:
    return fmt::format("(integer) {}", integer);
  case Type::string:
    return quote(str, 80);
  case Type::status:
    return fmt::format("(status) {}", quote(str, 80));
  case Type::error:
    return fmt::format("(error) {}", quote(str, 80));
  case Type::array:
    return fmt::format("(array of {})", elements.size());
  }
  return "(unknown)";
}

} // namespace rbarrier::redis
