// majority_vote: TTRL's reward. Formula and rules: include/ttrl/reward/majority_vote.hpp.
#include "ttrl/reward/majority_vote.hpp"

namespace ttrl::reward {

int majority_class(const answer::Clustering& clustering) {
  int best = -1;
  for (int c = 0; c < static_cast<int>(clustering.members.size()); ++c) {
    // Strictly larger only: classes are ordered by first member, so a tie keeps the class that came first.
    if (best < 0 || clustering.members[c].size() > clustering.members[best].size()) best = c;
  }
  return best;
}

RewardResult MajorityVoteReward::score(const Group& group) {
  const size_t total = group.rollouts.size();
  const answer::Clustering clustering = answer::cluster_answers(answers_of(group), group.task);
  RewardResult result;
  result.rewards.assign(total, 0.0);
  const int label_class = majority_class(clustering);
  size_t answered = 0;
  for (int c : clustering.cluster_of) answered += c >= 0;
  if (label_class >= 0) {
    result.label = clustering.representative[label_class];
    for (int i : clustering.members[label_class]) result.rewards[i] = 1.0;
  }
  const double denominator = total > 0 ? static_cast<double>(total) : 1.0;
  result.metrics["answered_ratio"] = static_cast<double>(answered) / denominator;
  result.metrics["num_clusters"] = static_cast<double>(clustering.members.size());
  return result;
}

}  // namespace ttrl::reward
