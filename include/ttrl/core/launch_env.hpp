#pragma once
// The launch environment: whether this process is one rank of a multi-process job started by torchrun (or any
// launcher that sets PyTorch's variables) or by Slurm's srun, read before anything else happens.
//   RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE   this process's place in the job (torchrun)
//   SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID,       the same under srun, read when RANK and WORLD_SIZE are unset and
//   SLURM_NTASKS_PER_NODE                            SLURM_STEP_ID says this is a task of a job step (an sbatch
//                                                    script itself stays one process)
//   MASTER_ADDR, MASTER_PORT                         the rendezvous store (set by torchrun; exported for srun)
//   TORCHELASTIC_USE_AGENT_STORE, TORCHELASTIC_RESTART_COUNT   torchrun's store and restart round
// No variable set: one process (world size 1), as always.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace ttrl {

struct LaunchEnv {
  int64_t rank = 0;
  int64_t world_size = 1;
  int64_t local_rank = 0;
  int64_t local_world_size = 1;
  std::string master_addr;  ///< empty for one process
  int64_t master_port = 0;  ///< 0 for one process
  std::string launcher;     ///< "torchrun" (RANK/WORLD_SIZE), "srun" (SLURM_*), empty for one process
  bool agent_store = false; ///< torchrun's agent serves the store: every rank connects as a client
  int64_t restart_count = 0;
  bool multi_process() const { return world_size > 1; }
};

/// Looks a variable up; std::nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment (std::getenv).
std::optional<std::string> process_env(const std::string& name);

/// Reads the variables above. Throws ttrl::ConfigError naming the variable: a value that is not a whole number,
/// WORLD_SIZE < 1, WORLD_SIZE without RANK or RANK without WORLD_SIZE, RANK outside [0, WORLD_SIZE), LOCAL_RANK
/// outside [0, LOCAL_WORLD_SIZE), MASTER_PORT outside 1..65535, and, for more than one process, a missing
/// MASTER_ADDR or MASTER_PORT.
LaunchEnv read_launch_env(const EnvLookup& lookup = process_env);

}  // namespace ttrl
