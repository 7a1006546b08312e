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

/// The variable names one launcher uses for a process's place in the job.
struct LauncherVariables {
  const char* rank;
  const char* world_size;
  const char* local_rank;
  const char* local_world_size;
};
constexpr LauncherVariables kTorchrun{"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"};
// srun sets SLURM_STEP_ID for the tasks of a job step; an sbatch script (one process, though SLURM_NTASKS may be
// larger) has no step id, so it runs as one process until it calls srun.
constexpr LauncherVariables kSlurm{"SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", "SLURM_NTASKS_PER_NODE"};

/// SLURM_NTASKS_PER_NODE is a number only when every node has the same count ("2(x3)" or "2,1" otherwise).
std::optional<int64_t> slurm_tasks_per_node(const EnvLookup& lookup) {
  const std::optional<std::string> text = lookup(kSlurm.local_world_size);
  if (!text || text->empty() || text->find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return integer_env(lookup, kSlurm.local_world_size);
}

LaunchEnv read_place(const EnvLookup& lookup, const LauncherVariables& names, bool slurm) {
  LaunchEnv env;
  const std::optional<int64_t> rank = integer_env(lookup, names.rank), world = integer_env(lookup, names.world_size);
  if (rank.has_value() != world.has_value())
    throw ConfigError(fmt::format("environment variable {} is set but {} is not: a launcher sets both",
                                  rank ? names.rank : names.world_size, rank ? names.world_size : names.rank));
  if (!world) return env;
  if (*world < 1) throw ConfigError(fmt::format("environment variable {}={} must be at least 1", names.world_size, *world));
  env.world_size = *world;
  env.rank = *rank;
  env.launcher = slurm ? "srun" : "torchrun";
  check_index(names.rank, env.rank, names.world_size, env.world_size);
  env.local_world_size =
      (slurm ? slurm_tasks_per_node(lookup) : integer_env(lookup, names.local_world_size)).value_or(env.world_size);
  if (env.local_world_size < 1 || env.local_world_size > env.world_size)
    throw ConfigError(fmt::format("environment variable {}={} is outside [1, {}] ({}={})", names.local_world_size,
                                  env.local_world_size, env.world_size, names.world_size, env.world_size));
  env.local_rank = integer_env(lookup, names.local_rank).value_or(env.rank % env.local_world_size);
  check_index(names.local_rank, env.local_rank, names.local_world_size, env.local_world_size);
  return env;
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

LaunchEnv read_launch_env(const EnvLookup& lookup) {
  const bool torchrun = lookup(kTorchrun.rank) || lookup(kTorchrun.world_size);
  const bool slurm_step = !torchrun && lookup("SLURM_STEP_ID") && lookup(kSlurm.world_size);
  LaunchEnv env = torchrun || !slurm_step ? read_place(lookup, kTorchrun, false) : read_place(lookup, kSlurm, true);
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
  // torchrun's agent already serves the store at MASTER_ADDR:MASTER_PORT: every rank is its client.
  env.agent_store = lookup("TORCHELASTIC_USE_AGENT_STORE").value_or("") == "True";
  env.restart_count = integer_env(lookup, "TORCHELASTIC_RESTART_COUNT").value_or(0);
  return env;
}

}  // namespace ttrl
