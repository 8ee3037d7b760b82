// SPDX-License-Identifier: Apache-2.0
// What --version prints.
#include "version.hpp"

#include <fmt/format.h>
#include <openssl/opensslv.h>

namespace rbarrier {

std::string version_text() {
#ifdef RBARRIER_STATIC_BUILD
  constexpr const char* linking = "static";
#else
  constexpr const char* linking = "dynamic";
#endif
  return fmt::format("rbarrier {}\n"
                     "built: {}, with TLS ({})\n"
                     "license: Apache-2.0; third-party notices in THIRD-PARTY-NOTICES\n",
                     RBARRIER_VERSION, linking, OPENSSL_VERSION_TEXT);
}

} // namespace rbarrier
