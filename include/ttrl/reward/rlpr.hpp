#pragma once
// rlpr (RLPR, Yu et al. 2025, "RLPR: Extrapolating RLVR to General Domains without Verifiers"): the reward is the
// policy's own probability of the reference answer y* after the rollout's reasoning, debiased by the probability of
// y* without any reasoning (OpenBMB/RLPR verl/workers/reward_manager/prob.py: mean_exp_log_softmax,
// score_delta = scoreB - scoreA, threshold_0):
//   p_i  = (1 / |y*|) sum_t p(y*_t | prompt, z_i, y*_<t)    z_i: rollout i's response up to its final answer
//   p_0  = (1 / |y*|) sum_t p(y*_t | prompt, z_0, y*_<t)    z_0: the answer template alone (no reasoning)
//   r_i  = max(0, p_i - p_0)
// with the probabilities of the sampling distribution softmax(logits / temperature) of the policy that sampled
// (Group::scorer; RLPR uses the old policy's log-probs). y* is tokenized on its own after z.
//   - reward.label: gold uses the data's answer (the paper); a group without one is an error. reward.label: majority
//     uses the group's majority answer (majority_vote's label): our label-free adaptation, not in the paper.
//   - z_i ends where the rollout's extracted answer last occurs verbatim in its text (the answer is replaced by y*;
//     what follows it is not read). A rollout without an answer, or whose answer does not occur verbatim, gets 0.
//   - z_0 is the task's answer template: "\boxed{" (math), "The answer is (" (choice), "The answer is " (last_number).
//   - No label (majority mode, nothing answered): every reward 0.
//   - Not copied: RLPR's 0.1-weighted format score and its EMA filter on the group reward's std.
#include <string>

#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

struct RlprOptions {
  bool majority_label = false;  ///< the group's majority answer as y* instead of the gold answer
};

/// "gold" | "majority" -> RlprOptions; throws ttrl::ConfigError naming reward.label otherwise.
RlprOptions parse_rlpr_label(const std::string& label);

/// z_0, the answer template of `task` (see above).
std::string rlpr_answer_template(answer::Task task);

class RlprReward : public RewardFn {
 public:
  explicit RlprReward(RlprOptions options = {}) : options_(options) {}
  /// metrics: "reference_probability" (mean p_i over the rollouts scored), "reference_probability_no_reasoning"
  /// (p_0), "scored_ratio" (rollouts whose answer span was found). Throws ttrl::Error without a scorer, or without
  /// a gold answer in gold mode.
  RewardResult score(const Group& group) override;

 private:
  RlprOptions options_;
};

}  // namespace ttrl::reward
