#include "ttrl/core/launch_env.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "ttrl/core/error.hpp"

namespace ttrl {
namespace {

/// The variable as a whole number, or std::nullopt when unset; ConfigError naming it for anything else.
std::optional<int64_t> integer_env(const EnvLookup& lookup, const std::string& name) {
  const std::optional<std::string> text = lookup(name);
  if (!text) return std::nullopt;
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(*text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text->empty() || used != text->size())
    throw ConfigError(fmt::format("environment variable {}='{}' is not a whole number", name, *text));
  return value;
}

void check_index(const std::string& index_name, int64_t index, const std::string& size_name, int64_t size) {
  if (index < 0 || index >= size)
    throw ConfigError(fmt::format("environment variable {}={} is outside [0, {}) ({}={})", index_name, index, size,
                                  size_name, size));
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

LaunchEnv read_launch_env(const EnvLookup& lookup) {
  LaunchEnv env;
  const std::optional<int64_t> rank = integer_env(lookup, "RANK"), world = integer_env(lookup, "WORLD_SIZE");
  if (rank.has_value() != world.has_value())
    throw ConfigError(fmt::format("environment variable {} is set but {} is not: a launcher sets both",
                                  rank ? "RANK" : "WORLD_SIZE", rank ? "WORLD_SIZE" : "RANK"));
  if (!world) return env;
  if (*world < 1) throw ConfigError(fmt::format("environment variable WORLD_SIZE={} must be at least 1", *world));
  env.world_size = *world;
  env.rank = *rank;
  check_index("RANK", env.rank, "WORLD_SIZE", env.world_size);
  env.local_world_size = integer_env(lookup, "LOCAL_WORLD_SIZE").value_or(env.world_size);
  if (env.local_world_size < 1 || env.local_world_size > env.world_size)
    throw ConfigError(fmt::format("environment variable LOCAL_WORLD_SIZE={} is outside [1, {}] (WORLD_SIZE={})",
                                  env.local_world_size, env.world_size, env.world_size));
  env.local_rank = integer_env(lookup, "LOCAL_RANK").value_or(env.rank % env.local_world_size);
  check_index("LOCAL_RANK", env.local_rank, "LOCAL_WORLD_SIZE", env.local_world_size);
  env.master_addr = lookup("MASTER_ADDR").value_or("");
  const std::optional<int64_t> port = integer_env(lookup, "MASTER_PORT");
  if (port && (*port < 1 || *port > 65535))
    throw ConfigError(fmt::format("environment variable MASTER_PORT={} is not a port (1..65535)", *port));
  env.master_port = port.value_or(0);
  if (env.multi_process() && env.master_addr.empty())
    throw ConfigError(fmt::format("rank {} of {}: environment variable MASTER_ADDR is not set (the host of rank 0's "
                                  "store)", env.rank, env.world_size));
  if (env.multi_process() && !port)
    throw ConfigError(fmt::format("rank {} of {}: environment variable MASTER_PORT is not set", env.rank, env.world_size));
  return env;
}

}  // namespace ttrl
