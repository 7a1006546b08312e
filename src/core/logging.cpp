#include "ttrl/core/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "ttrl/core/error.hpp"

namespace ttrl {

void init_logging(const std::string& level, int64_t rank, int64_t world_size) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str maps unknown names to "off"; only accept "off" when it was asked for.
  if (parsed == spdlog::level::off && level != "off")
    throw ConfigError("unknown log level '" + level + "': expected trace, debug, info, warn, error or off");
  spdlog::drop("ttrl");  // called again once the launch environment is known
  auto logger = spdlog::stderr_color_mt("ttrl");
  if (world_size > 1) {
    // Rank 0 speaks for the job; the others only warn and fail, with their rank in the line.
    logger->set_pattern("[%H:%M:%S.%e] [rank " + std::to_string(rank) + "] [%^%l%$] %v");
    logger->set_level(rank == 0 ? parsed : std::max(parsed, spdlog::level::warn));
  } else {
    logger->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
    logger->set_level(parsed);
  }
  spdlog::set_default_logger(logger);
}

}  // namespace ttrl
