#pragma once
// dare (Du, Huang, Li 2025): a distribution-aware reward from the answer clusters of a group of M rollouts.
// For each class y of equivalent answers:
//   n(y) = its rollouts;  u(y) = mean over them of (rollout's mean token entropy) / ln(V), clamped to [0, 1]
//   p(y) = (n(y) / (u(y) + epsilon)) / sum_y' (n(y') / (u(y') + epsilon))
//   pruning: classes with p(y) < tau are dropped and p renormalised over the survivors
//   b(y) = (1 - n(y)/M) * (1 - u(y));   r = p(y) + alpha * b(y) for rollouts of surviving classes
// Rollouts of pruned classes and rollouts without an answer get 0; M counts every rollout of the group.
// When pruning would drop every class (e.g. M distinct answers and tau > 1/M), no answer is trusted: every reward
// is 0 and there is no label. The label is the surviving class with the largest p (earliest on ties).
// Defaults and their reasons: docs/rewards.md.
#include <vector>

#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

struct DareOptions {
  double alpha = 0.1;     ///< weight of the exploration bonus, in [0, 1]
  double tau = 0.05;      ///< pruning threshold on p(y), in [0, 1]
  double epsilon = 0.01;  ///< keeps n/(u + epsilon) finite at u = 0; > 0
};

/// Throws ttrl::ConfigError naming the option when one is out of range.
void validate(const DareOptions& options);

/// The statistics of one answer class.
struct DareClass {
  int count = 0;             ///< n(y) >= 1
  double uncertainty = 0.0;  ///< u(y) in [0, 1]
};

/// What DARE gives each class, in the input order.
struct DareScores {
  std::vector<double> probability;  ///< p(y) after pruning and renormalisation; 0 for pruned classes
  std::vector<bool> kept;           ///< survived pruning
  std::vector<double> reward;       ///< p(y) + alpha * b(y) for kept classes, 0 for pruned ones
};

/// DARE on class statistics; `total_rollouts` is M (>= the sum of the counts: rollouts without an answer count).
DareScores dare_class_scores(const std::vector<DareClass>& classes, int total_rollouts, const DareOptions& options);

class DareReward : public RewardFn {
 public:
  explicit DareReward(DareOptions options = {});  ///< validates the options
  /// Throws ttrl::Error when a rollout with an answer has no entropy, an entropy is negative or not finite, or
  /// group.vocab_size < 2. metrics: "num_clusters", "num_pruned", "mean_uncertainty" (over answered rollouts).
  RewardResult score(const Group& group) override;
  const DareOptions& options() const { return options_; }

 private:
  DareOptions options_;
};

}  // namespace ttrl::reward
