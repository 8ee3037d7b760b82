// SPDX-License-Identifier: Apache-2.0
// Text for people: quoting, escaping control characters, masking credentials.
#include "util/text.hpp"

#include <algorithm>
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

std::string mask_credentials(std::string_view text) {
  constexpr std::string_view k_mask = "********";
  std::string out(text);
  for (auto scheme = out.find("://"); scheme != std::string::npos;
       scheme = out.find("://", scheme + 3)) {
    const auto start = scheme + 3;
    const auto at = out.rfind('@');
    if (at == std::string::npos || at < start) {
      break;
    }
    const auto colon = out.find(':', start);
    const auto secret = colon < at ? colon + 1 : start;
    out.replace(secret, at - secret, k_mask);
    scheme = secret + k_mask.size();
  }
  constexpr std::string_view k_parameter = "password=";
  for (auto found = out.find(k_parameter); found != std::string::npos;
       found = out.find(k_parameter, found + k_parameter.size() + k_mask.size())) {
    const auto start = found + k_parameter.size();
    const auto end = out.find_first_of("&\" \t", start);
    out.replace(start, end == std::string::npos ? std::string::npos : end - start, k_mask);
  }
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

namespace {

// Edits (insertions, deletions, substitutions, swaps of neighbours) from `a` to `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (std::size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

} // namespace

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance && distance * 3 < candidate.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

} // namespace rbarrier
