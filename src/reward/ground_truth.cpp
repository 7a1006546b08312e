// ground_truth: 1 for answers equivalent to the gold answer, else 0.
#include "ttrl/reward/ground_truth.hpp"

#include "ttrl/core/error.hpp"

namespace ttrl::reward {

RewardResult GroundTruthReward::score(const Group& group) {
  if (!group.gold)
    throw Error("ground_truth reward needs the gold answer, and this group has none (give \"gold\" / data.answer_key)");
  RewardResult result;
  result.label = *group.gold;
  for (const auto& answer : answers_of(group)) {
    const bool correct = answer && answer::equivalent(*answer, *group.gold, group.task);
    result.rewards.push_back(correct ? 1.0 : 0.0);
  }
  return result;
}

}  // namespace ttrl::reward
