// Helpers on a group of rollouts: answer extraction and per-rollout entropy.
#include <numeric>

#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward {

void extract_answers(Group& group) {
  for (auto& rollout : group.rollouts) rollout.answer = answer::extract_answer(rollout.text, group.task);
  for (auto& rollout : group.partner_rollouts) rollout.answer = answer::extract_answer(rollout.text, group.task);
}

std::vector<std::optional<std::string>> answers_of(const Group& group) {
  std::vector<std::optional<std::string>> answers;
  answers.reserve(group.rollouts.size());
  for (const auto& rollout : group.rollouts) {
    // A blank answer is no answer: it must never form a class, let alone win the vote (a defect of TTRL's code).
    const bool blank = !rollout.answer || rollout.answer->find_first_not_of(" \t\r\n") == std::string::npos;
    answers.push_back(blank ? std::nullopt : rollout.answer);
  }
  return answers;
}

std::optional<double> mean_of(const std::vector<float>& values) {
  if (values.empty()) return std::nullopt;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

std::optional<double> mean_token_entropy(const Rollout& rollout) {
  if (!rollout.token_entropies.empty()) return mean_of(rollout.token_entropies);
  return rollout.mean_entropy;
}

}  // namespace ttrl::reward
