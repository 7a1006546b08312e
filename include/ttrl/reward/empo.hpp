#pragma once
// empo (EMPO, Zhang et al. 2025, "Right Question is Already Half the Answer: Fully Unsupervised LLM Reasoning
// Incentivization"): semantic entropy minimisation. Answers are clustered by equivalence; a rollout's reward is the
// share of the group in its class,
//   r_i = |class(i)| / G,   0 for a rollout without an answer,
// (EMPO trl/src/open_r1/rewards.py get_empo_math_reward: probabilities[semantic_ids[index]], 0.0 for an empty
// prediction), with one of the two published gates, which set every reward of the group to 0:
//   - gate: entropy (the default; the rule EMPO's TRL code applies): when the semantic entropy of the group
//     H = -sum_c (|c| / G) ln(|c| / G) reaches ln G, i.e. every rollout is its own class. Rollouts without an answer
//     form one class for H, as the reference clusters empty predictions together.
//   - gate: confidence (EMPO verl compute_metrics.py entropy_thresholding, present but not called in their scripts):
//     when the largest answer class holds under 25% of the group.
//   - gate: none: soft_majority's rewards.
// The label is majority_vote's (the largest class, earliest on ties), reported whatever the gate.
#include <string>

#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

enum class EmpoGate { kNone, kEntropy, kConfidence };

/// "none" | "entropy" | "confidence"; throws ttrl::ConfigError naming reward.gate otherwise.
EmpoGate parse_empo_gate(const std::string& name);

/// The share of the group the largest class must reach for gate: confidence.
inline constexpr double kEmpoMinConfidence = 0.25;

class EmpoReward : public RewardFn {
 public:
  explicit EmpoReward(EmpoGate gate = EmpoGate::kEntropy) : gate_(gate) {}
  /// metrics: "semantic_entropy" (H, nats), "majority_share", "gated" (1 when the gate zeroed the group),
  /// "answered_ratio", "num_clusters".
  RewardResult score(const Group& group) override;

 private:
  EmpoGate gate_;
};

}  // namespace ttrl::reward
