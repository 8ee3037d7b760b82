#pragma once

#include <string>
#include <string_view>

namespace rbarrier {

// `text` in double quotes for messages, with quotes, backslashes and control characters escaped
// and anything past `max` bytes cut to "...".
std::string quote(std::string_view text, std::size_t max = 200);

} // namespace rbarrier
