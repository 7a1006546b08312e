// co_reward: Co-rewarding-I's cross-view majority reward. Formula and sources: include/ttrl/reward/co_reward.hpp.
#include "ttrl/reward/co_reward.hpp"

#include "ttrl/core/error.hpp"
#include "ttrl/reward/majority_vote.hpp"

namespace ttrl::reward {

RewardResult CoReward::score(const Group& group) {
  if (group.partner_rollouts.empty())
    throw Error("co_reward: the group has no partner rollouts (the rollouts of the question's paraphrase; the trainer "
                "samples them from data.paraphrase_key, `ttrl reward` reads them from \"partner_rollouts\")");
  Group partner;
  partner.task = group.task;
  partner.rollouts = group.partner_rollouts;
  const RewardResult partner_vote = MajorityVoteReward().score(partner);
  const RewardResult own_vote = MajorityVoteReward().score(group);

  RewardResult result;
  result.label = partner_vote.label;
  result.rewards.assign(group.rollouts.size(), 0.0);
  size_t answered = 0;
  const std::vector<std::optional<std::string>> answers = answers_of(group);
  for (size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i]) continue;
    ++answered;
    if (result.label && answer::equivalent(*answers[i], *result.label, group.task)) result.rewards[i] = 1.0;
  }
  double label_votes = 0;
  for (double r : partner_vote.rewards) label_votes += r;
  const double size = group.rollouts.empty() ? 1.0 : static_cast<double>(group.rollouts.size());
  result.metrics["answered_ratio"] = static_cast<double>(answered) / size;
  result.metrics["partner_majority_share"] = label_votes / static_cast<double>(partner.rollouts.size());
  result.metrics["agrees_with_own_majority"] =
      result.label && own_vote.label && answer::equivalent(*result.label, *own_vote.label, group.task) ? 1.0 : 0.0;
  return result;
}

}  // namespace ttrl::reward
