// empo: EMPO's semantic-entropy reward with its gates. Formula and sources: include/ttrl/reward/empo.hpp.
#include "ttrl/reward/empo.hpp"

#include <cmath>

#include <fmt/format.h>

#include "ttrl/core/error.hpp"
#include "ttrl/reward/soft_majority.hpp"

namespace ttrl::reward {
namespace {

/// H = -sum_c (|c| / G) ln(|c| / G) over the answer classes and, as one more class, the rollouts without an answer.
double semantic_entropy(const answer::Clustering& clustering, size_t group_size) {
  const auto g = static_cast<double>(group_size);
  size_t answered = 0;
  double entropy = 0.0;
  auto add = [&](size_t count) {
    if (count == 0) return;
    const double p = static_cast<double>(count) / g;
    entropy -= p * std::log(p);
  };
  for (const auto& members : clustering.members) {
    add(members.size());
    answered += members.size();
  }
  add(group_size - answered);
  return entropy;
}

/// Whether every rollout is its own class: H = ln G exactly, decided on counts (no float comparison).
bool all_distinct(const answer::Clustering& clustering, size_t group_size) {
  size_t answered = 0;
  for (const auto& members : clustering.members) {
    if (members.size() > 1) return false;
    answered += members.size();
  }
  return group_size - answered <= 1;
}

}  // namespace

EmpoGate parse_empo_gate(const std::string& name) {
  if (name == "none") return EmpoGate::kNone;
  if (name == "entropy") return EmpoGate::kEntropy;
  if (name == "confidence") return EmpoGate::kConfidence;
  throw ConfigError(fmt::format("reward.gate: unknown gate '{}' (expected none, entropy or confidence)", name));
}

RewardResult EmpoReward::score(const Group& group) {
  const answer::Clustering clustering = answer::cluster_answers(answers_of(group), group.task);
  RewardResult result = soft_majority_rewards(group, clustering);  // r_i = |class(i)| / G, label, share metrics
  const size_t g = group.rollouts.size();
  const double entropy = g > 0 ? semantic_entropy(clustering, g) : 0.0;
  bool gated = false;
  if (gate_ == EmpoGate::kEntropy) gated = g > 0 && all_distinct(clustering, g);
  if (gate_ == EmpoGate::kConfidence) gated = result.metrics["majority_share"] < kEmpoMinConfidence;
  if (gated) result.rewards.assign(g, 0.0);
  result.metrics["semantic_entropy"] = entropy;
  result.metrics["gated"] = gated ? 1.0 : 0.0;
  return result;
}

}  // namespace ttrl::reward
