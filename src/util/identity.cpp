// SPDX-License-Identifier: Apache-2.0
// Random tokens and nonces, and a process's default member id.
#include "util/identity.hpp"

#include <array>
#include <fmt/format.h>
#include <random>
#include <sys/random.h>
#include <unistd.h>

namespace rbarrier {

std::string random_hex(std::size_t n) {
  std::string bytes(n, '\0');
  std::size_t filled = 0;
  while (filled < n) {
    const auto got = ::getrandom(bytes.data() + filled, n - filled, 0);
    if (got <= 0) {
      break;
    }
    filled += static_cast<std::size_t>(got);
  }
  if (filled < n) { // no getrandom(2): fall back on the library's generator
    std::random_device device;
    for (; filled < n; ++filled) {
      bytes[filled] = static_cast<char>(device());
    }
  }
  std::string hex;
  hex.reserve(2 * n);
  for (unsigned char byte : bytes) {
    hex += fmt::format("{:02x}", byte);
  }
  return hex;
}

std::string default_member_id() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) {
    host[0] = '\0';
  }
  return fmt::format("{}:{}:{}", host.data(), ::getpid(), random_hex(4));
}

} // namespace rbarrier
