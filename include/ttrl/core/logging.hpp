#pragma once
// Logging goes through spdlog; this header only configures it so that public headers stay free of spdlog.
#include <cstdint>
#include <string>

namespace ttrl {

/// Log levels accepted by --log-level and logging.level.
inline constexpr const char* kLogLevels[] = {"trace", "debug", "info", "warn", "error", "off"};

/// Sets up the default logger (stderr, "[time] [level] message") at `level`; throws ConfigError on an unknown level.
/// One process of several (world_size > 1): "[time] [rank R] [level] message", and ranks other than 0 log only
/// warnings and errors.
void init_logging(const std::string& level, int64_t rank = 0, int64_t world_size = 1);

}  // namespace ttrl
