#pragma once
// The commands that run as several processes (train, eval): joining the job's process group and leaving it cleanly
// when this process fails.
#include <functional>
#include <memory>

#include "ttrl/core/config.hpp"
#include "ttrl/dist/process_group.hpp"

namespace ttrl::cli {

/// The process group of this launch (launch_env.hpp): one process without torchrun's or srun's variables; else the
/// rendezvous at MASTER_ADDR:MASTER_PORT with trainer.dist_timeout_s. On GPUs (model.device cuda, or auto with
/// CUDA) each process takes cuda:LOCAL_RANK (config.model.device is set to it) and the group adds NCCL.
std::shared_ptr<dist::ProcessGroup> join_process_group(RunConfig& config);

/// Runs `body`. When it throws anything but a DistError (which is the consequence of another rank's failure), first
/// tells the other ranks which rank failed and why, so that their errors name it.
int reporting_failure(dist::ProcessGroup& group, const std::function<int()>& body);

}  // namespace ttrl::cli
