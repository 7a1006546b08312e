#pragma once
// majority_vote (TTRL, Zuo et al. 2025): the most frequent answer is the pseudo-label; reward 1 for rollouts whose
// answer is equivalent to it, 0 otherwise.
//   - answers are clustered by equivalence (answer::cluster_answers), not by string: "0.5" and "\frac{1}{2}" vote
//     together;
//   - rollouts without an answer never vote and get 0;
//   - ties between classes go to the class whose first member comes first in the group;
//   - no answer anywhere: no label, every reward 0.
#include "ttrl/answer/answer.hpp"
#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

/// Index of the largest class of `clustering` (earliest first member on ties); -1 when there is no class.
int majority_class(const answer::Clustering& clustering);

class MajorityVoteReward : public RewardFn {
 public:
  /// metrics: "answered_ratio" (rollouts with an answer / all rollouts), "num_clusters".
  RewardResult score(const Group& group) override;
};

}  // namespace ttrl::reward
