#pragma once
// Errors ttrl reports to users. Every message names what was wrong (file, key, tensor, record) so that the CLI can
// print it as is and exit non-zero; nothing in ttrl calls abort() on bad input.
#include <stdexcept>
#include <string>

namespace ttrl {

/// Base of every error ttrl throws on bad input or failed I/O.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A run configuration that cannot be used: unreadable file, malformed YAML, unknown key, wrong type, bad value.
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// A file that cannot be read or written, or whose content is not in the expected format.
class IoError : public Error {
 public:
  using Error::Error;
};

/// A feature that exists in the CLI but whose implementation has not landed yet.
class NotAvailableError : public Error {
 public:
  using Error::Error;
};

/// Process exit codes used by the CLI.
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

}  // namespace ttrl
