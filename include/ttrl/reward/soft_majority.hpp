#pragma once
// soft_majority (SRT, Shafayat et al. 2025, "Can Large Reasoning Models Self-Train?", soft mode): each rollout is
// rewarded with the share of the group that agrees with it,
//   r_i = |class(i)| / G,
// with answers clustered by equivalence (answer::cluster_answers) and G the number of rollouts in the group
// (those without an answer included). A rollout without an answer gets 0. Unlike majority_vote it needs no label
// and has no tie rule: rewards do not depend on the order of the rollouts.
#include "ttrl/answer/answer.hpp"
#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

/// The rewards, label and metrics of SoftMajorityReward for `group` whose answers `clustering` clusters.
RewardResult soft_majority_rewards(const Group& group, const answer::Clustering& clustering);

class SoftMajorityReward : public RewardFn {
 public:
  /// metrics: "answered_ratio", "num_clusters", "majority_share" (the largest class / G).
  RewardResult score(const Group& group) override;
};

}  // namespace ttrl::reward
