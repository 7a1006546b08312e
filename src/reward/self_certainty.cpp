// self_certainty: INTUITOR's reward. Formula and sources: include/ttrl/reward/self_certainty.hpp.
#include "ttrl/reward/self_certainty.hpp"

#include "token_values.hpp"

namespace ttrl::reward {

RewardResult SelfCertaintyReward::score(const Group& group) {
  RewardResult result;
  double sum = 0.0;
  for (size_t i = 0; i < group.rollouts.size(); ++i) {
    const Rollout& rollout = group.rollouts[i];
    result.rewards.push_back(token_mean(rollout, rollout.token_self_certainties, i, "self_certainty", "self_certainties"));
    sum += result.rewards.back();
  }
  result.metrics["self_certainty_mean"] = group.rollouts.empty() ? 0.0 : sum / static_cast<double>(group.rollouts.size());
  return result;
}

}  // namespace ttrl::reward
