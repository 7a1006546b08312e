#pragma once
// co_reward (Co-rewarding-I, Zhang et al. 2025, "Co-rewarding: Stable Self-supervised RL for Eliciting Reasoning in
// Large Language Models"): each question is sampled twice, as written and as a paraphrase with the same answer, and
// each side is graded against the other side's majority answer (Co-rewarding-I/verl/workers/reward_manager/
// co_reward.py: ori_uid2pseudo = majority_vote(aug answers), aug_uid2pseudo = majority_vote(ori answers)):
//   label = the majority answer of group.partner_rollouts (majority_vote's rules: rollouts without an answer never
//           vote, ties go to the class met first),
//   r_i   = 1 if rollout i's answer is equivalent to the label, else 0 (0 without an answer; all 0 without a label).
// The trainer fills partner_rollouts (the paraphrase's rollouts for the question's group and the question's for the
// paraphrase's, both groups trained with their own advantages, as the reference does); data records carry the
// paraphrase in data.paraphrase_key. Cross-labelling keeps a question's own phrasing from confirming its own errors.
#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

class CoReward : public RewardFn {
 public:
  /// metrics: "answered_ratio", "partner_majority_share" (the label class / partner rollouts),
  /// "agrees_with_own_majority" (1 when the label also wins this group's own vote).
  /// Throws ttrl::Error when the group has no partner rollouts.
  RewardResult score(const Group& group) override;
};

}  // namespace ttrl::reward
