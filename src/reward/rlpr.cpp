// rlpr: RLPR's probability reward. Formula and sources: include/ttrl/reward/rlpr.hpp.
#include "ttrl/reward/rlpr.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "ttrl/core/error.hpp"
#include "ttrl/reward/majority_vote.hpp"

namespace ttrl::reward {
namespace {

/// The mean of a target's token probabilities; 0 for a target of no tokens.
double mean_probability(const std::vector<double>& probabilities) {
  if (probabilities.empty()) return 0.0;
  return std::accumulate(probabilities.begin(), probabilities.end(), 0.0) / static_cast<double>(probabilities.size());
}

}  // namespace

RlprOptions parse_rlpr_label(const std::string& label) {
  if (label == "gold") return RlprOptions{false};
  if (label == "majority") return RlprOptions{true};
  throw ConfigError(fmt::format("reward.label: unknown reference '{}' (expected gold or majority)", label));
}

std::string rlpr_answer_template(answer::Task task) {
  switch (task) {
    case answer::Task::kChoice: return "The answer is (";
    case answer::Task::kLastNumber: return "The answer is ";
    default: return "\\boxed{";
  }
}

RewardResult RlprReward::score(const Group& group) {
  if (!group.scorer)
    throw Error("rlpr: no policy to score with (rlpr reads the policy's probabilities: `ttrl train`, or `ttrl reward "
                "--model DIR`)");
  RewardResult result;
  result.rewards.assign(group.rollouts.size(), 0.0);
  if (options_.majority_label) {
    result.label = MajorityVoteReward().score(group).label;
  } else {
    if (!group.gold)
      throw Error("rlpr: the group has no gold answer (reward.label: gold scores the data's answer; "
                  "reward.label: majority needs none)");
    result.label = group.gold;
  }
  result.metrics["scored_ratio"] = 0.0;
  if (!result.label) return result;

  // The rollouts whose answer occurs verbatim: their responses up to it, then the no-reasoning template last.
  std::vector<PolicyScorer::Continuation> continuations;
  std::vector<size_t> scored;
  for (size_t i = 0; i < group.rollouts.size(); ++i) {
    const Rollout& rollout = group.rollouts[i];
    if (!rollout.answer || rollout.answer->empty()) continue;
    const size_t at = rollout.text.rfind(*rollout.answer);
    if (at == std::string::npos) continue;
    continuations.push_back({rollout.text.substr(0, at), *result.label});
    scored.push_back(i);
  }
  continuations.push_back({rlpr_answer_template(group.task), *result.label});
  const std::vector<std::vector<double>> probabilities = group.scorer->target_probabilities(continuations);
  if (probabilities.size() != continuations.size())
    throw Error(fmt::format("rlpr: the scorer returned {} results for {} continuations", probabilities.size(),
                            continuations.size()));
  const double baseline = mean_probability(probabilities.back());
  double sum = 0;
  for (size_t j = 0; j < scored.size(); ++j) {
    const double p = mean_probability(probabilities[j]);
    sum += p;
    result.rewards[scored[j]] = std::max(0.0, p - baseline);
  }
  const double size = group.rollouts.empty() ? 1.0 : static_cast<double>(group.rollouts.size());
  result.metrics["scored_ratio"] = static_cast<double>(scored.size()) / size;
  result.metrics["reference_probability"] = scored.empty() ? 0.0 : sum / static_cast<double>(scored.size());
  result.metrics["reference_probability_no_reasoning"] = baseline;
  return result;
}

}  // namespace ttrl::reward
