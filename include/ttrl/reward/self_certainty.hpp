#pragma once
// self_certainty (INTUITOR, Zhao et al. 2025, "Learning to Reason without External Rewards"): a rollout's reward is
// its mean per-token self-certainty,
//   r = (1 / T) sum_t KL(U || p_t) = (1 / T) sum_t [ logsumexp(z_t) - mean_v z_{t,v} - ln V ],
// over its T generated tokens, with p_t the next-token distribution at position t and U the uniform distribution
// over the vocabulary (the sampler records KL(U || p_t) per token: kernels/token_stats.hpp).
//   - z_t = logits / temperature by default, as INTUITOR's verl implementation (verl-intuitor dp_actor.py divides the
//     logits by the rollout temperature before compute_self_certainty_from_logits): the distribution the rollout was
//     sampled from. reward.raw_logits = true gives the raw logits' value, as the open-r1 implementation
//     (intuitor_trainer.py _get_per_token_self_certainty) computes it.
//   - The reference code omits the constant -ln V (it cancels in GRPO's group normalisation); we keep it, so that
//     r >= 0 with 0 for a uniform model.
//   - A rollout without tokens gets 0 (open-r1 INTUITOR); answers are not looked at: no label.
//   - Computed at sampling time, from the policy that sampled (INTUITOR computes it in the old-policy forward pass).
// Sources and the comparison with the other rewards: docs/rewards.md.
#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

class SelfCertaintyReward : public RewardFn {
 public:
  /// metrics: "self_certainty_mean" (mean reward of the group).
  /// Throws ttrl::Error naming the rollout when one has tokens but no per-token self-certainties, or a count that
  /// differs from num_tokens.
  RewardResult score(const Group& group) override;
};

}  // namespace ttrl::reward
