#include "cli/launch.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/cuda.h>

#include "ttrl/core/device.hpp"
#include "ttrl/core/launch_env.hpp"

namespace ttrl::cli {

std::shared_ptr<dist::ProcessGroup> join_process_group(RunConfig& config) {
  const LaunchEnv env = read_launch_env();
  dist::ProcessGroupOptions options;
  options.timeout = std::chrono::seconds(config.trainer.dist_timeout_s);
  const DeviceKind device = parse_device(config.model.device).kind;
  const bool cuda = device == DeviceKind::kCuda || (device == DeviceKind::kAuto && torch::cuda::is_available());
  options.device_type = cuda ? "cuda" : "cpu";
  // One GPU per process: this process's is cuda:LOCAL_RANK, whatever index the config names.
  if (cuda && env.multi_process()) {
    const std::string mine = fmt::format("cuda:{}", env.local_rank);
    if (config.model.device != mine && config.model.device != "cuda" && config.model.device != "auto")
      spdlog::warn("model.device {} replaced by {} (LOCAL_RANK): one GPU per process", config.model.device, mine);
    config.model.device = mine;
  }
  return dist::ProcessGroup::create(env, options);
}

int reporting_failure(dist::ProcessGroup& group, const std::function<int()>& body) {
  try {
    return body();
  } catch (const dist::DistError&) {
    throw;
  } catch (const std::exception& e) {
    group.report_failure(e.what());
    throw;
  }
}

}  // namespace ttrl::cli
