#include "ttrl/core/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "ttrl/core/error.hpp"

namespace ttrl {

void init_logging(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str maps unknown names to "off"; only accept "off" when it was asked for.
  if (parsed == spdlog::level::off && level != "off")
    throw ConfigError("unknown log level '" + level + "': expected trace, debug, info, warn, error or off");
  auto logger = spdlog::stderr_color_mt("ttrl");
  logger->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
}

}  // namespace ttrl
