#pragma once

#include <string>
#include <string_view>

namespace rbarrier {

// `text` with control characters written as escapes: bytes below 0x20 and 0x7f as "\x0a", the
// C1 controls U+0080 to U+009F (UTF-8 "\xc2\x80" to "\xc2\x9f") as "\u009b". Text from other
// processes (names, ids, reasons, server errors) printed this way cannot move the cursor, change
// colours or start a new line.
std::string escape_controls(std::string_view text);

// `text` in double quotes for messages, with quotes, backslashes and control characters escaped
// and anything past `max` bytes cut to "...".
std::string quote(std::string_view text, std::size_t max = 200);

} // namespace rbarrier
