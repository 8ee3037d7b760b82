#include "util/text.hpp"

#include <fmt/format.h>

namespace rbarrier {

namespace {

// Appends `text` to `out` with control characters escaped, and `extra` characters after a
// backslash.
void append_escaped(std::string& out, std::string_view text, std::string_view extra) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (extra.find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) {
      out += fmt::format("\\u{:04x}", next);
      ++i;
    } else {
      out += c;
    }
  }
}

} // namespace

std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, {});
  return out;
}

std::string quote(std::string_view text, std::size_t max) {
  std::string out = "\"";
  // Cut before a C1 control's second byte rather than inside it.
  std::size_t cut = std::min(max, text.size());
  if (cut < text.size() && cut > 0 && static_cast<unsigned char>(text[cut - 1]) == 0xc2) {
    --cut;
  }
  append_escaped(out, text.substr(0, cut), "\"\\");
  if (text.size() > max) {
    out += "...";
  }
  out += '"';
  return out;
}

} // namespace rbarrier
