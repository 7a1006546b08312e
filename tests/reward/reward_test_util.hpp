#pragma once
// Building groups for reward tests: answers are set directly (no extraction), entropies given as u = H / ln(V).
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "ttrl/reward/reward_fn.hpp"

namespace ttrl::reward::testing {

inline constexpr int64_t kTestVocab = 1000;
inline const std::optional<std::string> kNone = std::nullopt;

/// A group whose rollouts have `answers` and, when given, mean token entropies u[i] * ln(kTestVocab).
inline Group group_of(const std::vector<std::optional<std::string>>& answers, const std::vector<double>& u = {},
                      answer::Task task = answer::Task::kMath) {
  Group group;
  group.prompt = "test prompt";
  group.vocab_size = kTestVocab;
  group.task = task;
  for (size_t i = 0; i < answers.size(); ++i) {
    Rollout rollout;
    rollout.answer = answers[i];
    rollout.text = answers[i] ? "The answer is \\boxed{" + *answers[i] + "}." : "I do not know.";
    rollout.num_tokens = 10;
    if (i < u.size()) rollout.mean_entropy = u[i] * std::log(static_cast<double>(kTestVocab));
    group.rollouts.push_back(rollout);
  }
  return group;
}

}  // namespace ttrl::reward::testing
