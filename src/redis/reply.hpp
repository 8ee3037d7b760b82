// SPDX-License-Identifier: Apache-2.0
// One RESP2 reply, as a value the rest of the program inspects without hiredis.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rbarrier::redis {

// One RESP2 reply (see ReplyReader), a value the rest of the program inspects without hiredis.
struct Reply {
  enum class Type { nil, integer, string, status, error, array };
  Type type = Type::nil;
  std::int64_t integer = 0;
  std::string str; // string, status, error
  std::vector<Reply> elements;

  bool is_error() const { return type == Type::error; }
  bool is_nil() const { return type == Type::nil; }

  // Throws RedisError, classified by classify_redis_error(), if this is an error reply.
  const Reply& check() const;

  // The typed views below throw ProtocolError naming `what` when the reply is of another type.
  const std::string& as_string(std::string_view what) const;
  std::int64_t as_integer(std::string_view what) const;
  const std::vector<Reply>& as_array(std::string_view what) const;

  // A short rendering for messages: `"abc"`, `(integer) 3`, `(error) ERR …`, `(array of 2)`.
  std::string describe() const;
};

} // namespace rbarrier::redis
