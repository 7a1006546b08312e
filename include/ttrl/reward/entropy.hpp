#pragma once
// entropy (RENT, Prabhudesai et al. 2025, "Maximizing Confidence Alone Improves Reasoning"; EM-RL, Agarwal et al.
// 2025, "The Unreasonable Effectiveness of Entropy Minimization in LLM Reasoning"): a rollout's reward is minus its
// mean token entropy,
//   r = -(1 / T) sum_t H(p_t),   H(p_t) = -sum_v p_{t,v} ln p_{t,v}   (nats, full vocabulary),
// over all its T generated tokens (rent-rl ray_trainer.py: -entropys[i, :valid_response_length].mean(); EM-RL
// emrl_token_manager.py). reward.trajectory = true gives EM-RL's trajectory-level variant (emrl_sequence_manager.py):
//   r = (1 / T) sum_t ln p_t(y_t),
// the mean log-probability of the sampled tokens, i.e. minus the one-sample estimate of the sequence's per-token
// entropy.
//   - Rollouts without an answer are rewarded by the same formula: the reward does not look at answers (EM-RL, and
//     RENT's default; RENT's format variant gives them -7 instead). No label.
//   - A rollout without tokens gets 0.
#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

struct EntropyRewardOptions {
  bool trajectory = false;  ///< mean token log-prob instead of minus the mean token entropy
};

class EntropyReward : public RewardFn {
 public:
  explicit EntropyReward(EntropyRewardOptions options = {}) : options_(options) {}
  /// metrics: "mean_token_entropy" or "mean_token_logprob" (the group's mean of the per-rollout means).
  /// Throws ttrl::Error naming the rollout when one has tokens but lacks the per-token values it needs.
  RewardResult score(const Group& group) override;

 private:
  EntropyRewardOptions options_;
};

}  // namespace ttrl::reward
