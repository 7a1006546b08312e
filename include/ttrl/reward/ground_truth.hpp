#pragma once
// ground_truth: reward 1 when the rollout's answer is equivalent to the group's gold answer, else 0 (GRPO with
// labels: the upper baseline TTRL is compared against). The label is the gold answer.
#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

class GroundTruthReward : public RewardFn {
 public:
  /// Throws ttrl::Error when group.gold is absent.
  RewardResult score(const Group& group) override;
};

}  // namespace ttrl::reward
