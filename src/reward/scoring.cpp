// score_group: runs a reward function, checks what it returned, adds the TTRL analysis metrics.
#include <cmath>

#include <fmt/format.h>

#include "ttrl/core/error.hpp"
#include "ttrl/reward/reward_fn.hpp"
#include "ttrl/reward/ttrl_metrics.hpp"

namespace ttrl::reward {
namespace {

/// A reward function (a plugin's, especially) must give one finite reward per rollout: GRPO divides by the group's
/// reward std, so a single NaN would poison the whole update.
void check_result(const Group& group, const RewardResult& result) {
  if (result.rewards.size() != group.rollouts.size())
    throw Error(fmt::format("reward function returned {} rewards for {} rollouts", result.rewards.size(),
                            group.rollouts.size()));
  for (size_t i = 0; i < result.rewards.size(); ++i)
    if (!std::isfinite(result.rewards[i]))
      throw Error(fmt::format("reward function returned a non-finite reward ({}) for rollout {}", result.rewards[i], i));
}

}  // namespace

RewardResult score_group(RewardFn& fn, const Group& group) {
  RewardResult result = fn.score(group);
  check_result(group, result);
  for (const auto& [key, value] : ttrl_metrics(group, result)) result.metrics[key] = value;
  return result;
}

}  // namespace ttrl::reward
