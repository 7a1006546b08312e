#pragma once
// Logging goes through spdlog; this header only configures it so that public headers stay free of spdlog.
#include <string>

namespace ttrl {

/// Log levels accepted by --log-level and logging.level.
inline constexpr const char* kLogLevels[] = {"trace", "debug", "info", "warn", "error", "off"};

/// Sets up the default logger (stderr, "[time] [level] message") at `level`; throws ConfigError on an unknown level.
void init_logging(const std::string& level);

}  // namespace ttrl
