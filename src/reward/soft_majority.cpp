// soft_majority: SRT's soft self-consistency reward. Formula: include/ttrl/reward/soft_majority.hpp.
#include "ttrl/reward/soft_majority.hpp"

#include "ttrl/answer/answer.hpp"
#include "ttrl/reward/majority_vote.hpp"

namespace ttrl::reward {

RewardResult SoftMajorityReward::score(const Group& group) {
  return soft_majority_rewards(group, answer::cluster_answers(answers_of(group), group.task));
}

RewardResult soft_majority_rewards(const Group& group, const answer::Clustering& clustering) {
  const size_t total = group.rollouts.size();
  const double denominator = total > 0 ? static_cast<double>(total) : 1.0;
  RewardResult result;
  result.rewards.assign(total, 0.0);
  size_t answered = 0;
  for (size_t i = 0; i < total; ++i) {
    const int c = clustering.cluster_of[i];
    if (c < 0) continue;
    ++answered;
    result.rewards[i] = static_cast<double>(clustering.members[c].size()) / denominator;
  }
  const int largest = majority_class(clustering);
  if (largest >= 0) result.label = clustering.representative[largest];
  result.metrics["answered_ratio"] = static_cast<double>(answered) / denominator;
  result.metrics["num_clusters"] = static_cast<double>(clustering.members.size());
  result.metrics["majority_share"] =
      largest >= 0 ? static_cast<double>(clustering.members[largest].size()) / denominator : 0.0;
  return result;
}

}  // namespace ttrl::reward
