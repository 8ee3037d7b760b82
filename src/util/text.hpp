// SPDX-License-Identifier: Apache-2.0
// Text for people: quoting, escaping control characters, masking credentials.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rbarrier {

// `text` with control characters written as escapes: bytes below 0x20 and 0x7f as "\x0a", the
// C1 controls U+0080 to U+009F (UTF-8 "\xc2\x80" to "\xc2\x9f") as "\u009b". Text from other
// processes (names, ids, reasons, server errors) printed this way cannot move the cursor, change
// colours or start a new line.
std::string escape_controls(std::string_view text);

// `text` with whatever could be a password in a URL replaced by "********": after "://", up to
// the last "@" (from the first ":", when one comes before it, so that a user name stays), and
// the value of "password=". It errs on the side of hiding too much: a message may carry a URL
// that landed anywhere on a command line, in any shape.
std::string mask_credentials(std::string_view text);

// `text` in double quotes for messages, with quotes, backslashes and control characters escaped
// and anything past `max` bytes cut to "...".
std::string quote(std::string_view text, std::size_t max = 200);

// The candidate `word` is most likely a typo of (within two edits, a swap of neighbours counting
// as one, and fewer than a third of the candidate's length), for "did you mean" hints.
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

} // namespace rbarrier
