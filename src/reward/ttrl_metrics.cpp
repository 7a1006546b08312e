// TTRL's analysis metrics (label accuracy, reward accuracy, ...): definitions in include/ttrl/reward/ttrl_metrics.hpp.
#include "ttrl/reward/ttrl_metrics.hpp"

#include <algorithm>

namespace ttrl::reward {
namespace {

double largest_class_share(const Group& group) {
  const answer::Clustering clustering = answer::cluster_answers(answers_of(group), group.task);
  size_t largest = 0;
  for (const auto& members : clustering.members) largest = std::max(largest, members.size());
  return static_cast<double>(largest) / static_cast<double>(group.rollouts.size());
}

/// The gold-dependent metrics; group.gold must be set.
void add_gold_metrics(const Group& group, const RewardResult& result, Metrics& metrics) {
  const std::string& gold = *group.gold;
  const auto answers = answers_of(group);
  const size_t total = answers.size();
  size_t correct = 0;
  size_t reward_matches = 0;
  for (size_t i = 0; i < total; ++i) {
    const auto& answer = answers[i];
    const bool is_correct = answer && answer::equivalent(*answer, gold, group.task);
    const bool rewarded = result.rewards[i] >= kRewardAccuracyThreshold;
    correct += is_correct;
    reward_matches += is_correct == rewarded;
  }
  // The label as the reward stated it, compared by equivalence (never re-extracted from text).
  metrics["label_accuracy"] = result.label && answer::equivalent(*result.label, gold, group.task) ? 1.0 : 0.0;
  metrics["reward_accuracy"] = static_cast<double>(reward_matches) / static_cast<double>(total);
  metrics["pass@n"] = correct > 0 ? 1.0 : 0.0;
  metrics["ground_truth_ratio"] = static_cast<double>(correct) / static_cast<double>(total);
}

}  // namespace

Metrics ttrl_metrics(const Group& group, const RewardResult& result) {
  Metrics metrics;
  if (group.rollouts.empty()) return metrics;
  metrics["majority_ratio"] = largest_class_share(group);
  if (group.gold) add_gold_metrics(group, result, metrics);
  return metrics;
}

}  // namespace ttrl::reward
