#pragma once

#include <string>

#include "options.hpp"

// One function per subcommand. Each returns the exit status with its one-line message (empty on
// success); failures of the connection and the server are thrown as rbarrier::Error.
namespace rbarrier::commands {

struct Result {
  int exit_code = 0;
  std::string message; // printed as "rbarrier: <message>" when not empty
};

Result wait(const GlobalOptions& global, const WaitOptions& options);
Result reset(const GlobalOptions& global, const ResetOptions& options);
Result abort(const GlobalOptions& global, const AbortOptions& options);
Result status(const GlobalOptions& global, const StatusOptions& options);

} // namespace rbarrier::commands
