// SPDX-License-Identifier: Apache-2.0
// RESP2 bytes parsed into Reply values with hiredis's reader, within bounds.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "redis/reply.hpp"

struct redisReader;

namespace rbarrier::redis {

// Parses RESP2 bytes into Reply values with hiredis's reader, building the values directly
// (no redisReply in between) and refusing what no barrier reply can be: a bulk string or a
// buffered reply over k_max_bytes, an array of more than k_max_elements. hiredis's own reader
// bounds neither; its errors are sticky, so a reader is used for one connection only.
class ReplyReader {
public:
  static constexpr std::size_t k_max_bytes = 64 * 1024 * 1024;
  static constexpr int k_max_elements = 1 << 20;

  ReplyReader();
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  // Throws ProtocolError when the bytes cannot be a reply we accept.
  void feed(const char* data, std::size_t size);

  // The next complete reply, or nullopt when more bytes are needed. Throws ProtocolError.
  std::optional<Reply> next();

private:
  [[noreturn]] void fail();
  void check_pending_bulk() const;

  std::unique_ptr<redisReader, void (*)(redisReader*)> m_reader;
  std::string m_refusal; // why an object function refused, for the message
};

} // namespace rbarrier::redis
