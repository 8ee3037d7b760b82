// SPDX-License-Identifier: Apache-2.0
// What --version prints.
#pragma once

#include <string>

namespace rbarrier {

// What --version prints: "rbarrier VERSION" on the first line, then how this binary was built
// (static or not, its TLS library) and its license.
std::string version_text();

} // namespace rbarrier
