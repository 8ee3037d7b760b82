// SPDX-License-Identifier: Apache-2.0
// RESP2 bytes parsed into Reply values with hiredis's reader, within bounds.
#include "redis/reply_reader.hpp"

#include <charconv>
#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include "util/error.hpp"

namespace rbarrier::redis {

namespace {

std::string& refusal_of(const redisReadTask* task) {
  return *static_cast<std::string*>(task->privdata);
}

// The value a task fills: a slot of its parent array, or a new root the reader hands back.
Reply* place(const redisReadTask* task) {
  if (task->parent != nullptr) {
    auto* parent = static_cast<Reply*>(task->parent->obj);
    return &parent->elements[static_cast<std::size_t>(task->idx)];
  }
  return new Reply();
}

void* create_string(const redisReadTask* task, char* data, std::size_t length) {
  if (length > ReplyReader::k_max_bytes) {
    refusal_of(task) = fmt::format("a string of {} bytes", length);
    return nullptr;
  }
  Reply* reply = place(task);
  reply->type = task->type == REDIS_REPLY_ERROR    ? Reply::Type::error
                : task->type == REDIS_REPLY_STATUS ? Reply::Type::status
                                                   : Reply::Type::string;
  reply->str.assign(data, length);
  return reply;
}

void* create_array(const redisReadTask* task, int elements) {
  if (elements < 0 || elements > ReplyReader::k_max_elements) {
    refusal_of(task) = fmt::format("an array of {} elements", elements);
    return nullptr;
  }
  Reply* reply = place(task);
  reply->type = Reply::Type::array;
  reply->elements.resize(static_cast<std::size_t>(elements));
  return reply;
}

void* create_integer(const redisReadTask* task, long long value) {
  Reply* reply = place(task);
  reply->type = Reply::Type::integer;
  reply->integer = value;
  return reply;
}

void* create_nil(const redisReadTask* task) {
  Reply* reply = place(task);
  reply->type = Reply::Type::nil;
  return reply;
}

// hiredis frees only roots: children live inside their parent's elements.
void free_object(void* reply) { delete static_cast<Reply*>(reply); }

redisReplyObjectFunctions k_functions{create_string, create_array, create_integer, create_nil,
                                      free_object};

} // namespace

ReplyReader::ReplyReader()
    : m_reader(redisReaderCreateWithFunctions(&k_functions), redisReaderFree) {
  if (!m_reader) {
    throw Error(ExitCode::internal, "out of memory creating a reply reader");
  }
  m_reader->privdata = &m_refusal;
}

ReplyReader::~ReplyReader() = default;

void ReplyReader::fail() {
  if (!m_refusal.empty()) {
    throw ProtocolError(fmt::format("reply too large: {}", m_refusal));
  }
  throw ProtocolError(fmt::format("malformed reply: {}", m_reader->errstr));
}

void ReplyReader::check_pending_bulk() const {
  // A bulk string waiting for its bytes: the reader has taken its '$' and waits at the length,
  // which it would wait for however large. Refuse it once the whole length line is here.
  const redisReader& r = *m_reader;
  if (r.ridx < 0 || r.rstack[r.ridx].type != REDIS_REPLY_STRING) {
    return;
  }
  const std::string_view pending(r.buf + r.pos, r.len - r.pos);
  const auto line_end = pending.find('\r');
  if (line_end == std::string_view::npos) {
    return;
  }
  const std::string_view digits = pending.substr(0, line_end);
  unsigned long long length = 0;
  const auto [stop, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && length > k_max_bytes)) {
    throw ProtocolError(fmt::format("reply too large: a string of {} bytes announced", digits));
  }
}

void ReplyReader::feed(const char* data, std::size_t size) {
  if (redisReaderFeed(m_reader.get(), data, size) != REDIS_OK) {
    fail();
  }
  if (m_reader->len - m_reader->pos > k_max_bytes) {
    throw ProtocolError(fmt::format("reply too large: over {} MiB", k_max_bytes / (1024 * 1024)));
  }
}

std::optional<Reply> ReplyReader::next() {
  void* raw = nullptr;
  if (redisReaderGetReply(m_reader.get(), &raw) != REDIS_OK) {
    fail();
  }
  if (raw == nullptr) {
    check_pending_bulk();
    return std::nullopt;
  }
  const std::unique_ptr<Reply> reply(static_cast<Reply*>(raw));
  return std::move(*reply);
}

} // namespace rbarrier::redis
