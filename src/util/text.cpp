#include "util/text.hpp"

#include <fmt/format.h>

namespace rbarrier {

std::string quote(std::string_view text, std::size_t max) {
  std::string out = "\"";
  for (char c : text.substr(0, max)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  if (text.size() > max) {
    out += "...";
  }
  out += '"';
  return out;
}

} // namespace rbarrier
