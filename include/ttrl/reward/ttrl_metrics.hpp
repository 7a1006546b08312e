#pragma once
// TTRL's analysis metrics of a scored group. They read the gold answer, so they are for logging only and never feed
// back into training.
//   majority_ratio      size of the largest answer class / all rollouts (always; 0 when no rollout has an answer)
// when group.gold is set:
//   label_accuracy      1 when the pseudo-label is equivalent to gold (0 when there is no label)
//   reward_accuracy     share of rollouts whose reward, binarised as (reward >= 0.5), equals their ground-truth
//                       reward (1 when the answer is equivalent to gold, else 0); for 0/1 rewards the threshold
//                       changes nothing, for continuous ones (dare, plugins) it reads "reward >= 0.5" as "rewarded"
//   pass@n              1 when any rollout's answer is equivalent to gold
//   ground_truth_ratio  share of rollouts whose answer is equivalent to gold
#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

/// Reward at or above which a continuous reward counts as "rewarded" in reward_accuracy.
inline constexpr double kRewardAccuracyThreshold = 0.5;

/// The metrics above; `result.rewards` must have one entry per rollout.
Metrics ttrl_metrics(const Group& group, const RewardResult& result);

}  // namespace ttrl::reward
