// entropy: RENT / EM-RL's entropy-minimisation reward. Formula and sources: include/ttrl/reward/entropy.hpp.
#include "ttrl/reward/entropy.hpp"

#include "token_values.hpp"

namespace ttrl::reward {

RewardResult EntropyReward::score(const Group& group) {
  RewardResult result;
  double sum = 0.0;
  for (size_t i = 0; i < group.rollouts.size(); ++i) {
    const Rollout& rollout = group.rollouts[i];
    const double mean = options_.trajectory ? token_mean(rollout, rollout.token_logprobs, i, "entropy", "logprobs")
                                            : token_mean(rollout, rollout.token_entropies, i, "entropy", "entropies");
    sum += mean;
    result.rewards.push_back(options_.trajectory ? mean : -mean);
  }
  const double group_mean = group.rollouts.empty() ? 0.0 : sum / static_cast<double>(group.rollouts.size());
  result.metrics[options_.trajectory ? "mean_token_logprob" : "mean_token_entropy"] = group_mean;
  return result;
}

}  // namespace ttrl::reward
