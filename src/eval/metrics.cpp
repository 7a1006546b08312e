#include "ttrl/eval/metrics.hpp"

#include <fmt/format.h>

#include "ttrl/core/error.hpp"

namespace ttrl::eval {

double pass_at_k(int64_t n, int64_t c, int64_t k) {
  if (n < 1 || c < 0 || c > n || k < 1 || k > n)
    throw Error(fmt::format("pass_at_k: need 0 <= c <= n and 1 <= k <= n, got n={} c={} k={}", n, c, k));
  if (n - c < k) return 1.0;  // every k-subset holds a correct sample
  double none_correct = 1.0;  // C(n - c, k) / C(n, k)
  for (int64_t i = n - c + 1; i <= n; ++i) none_correct *= 1.0 - static_cast<double>(k) / static_cast<double>(i);
  return 1.0 - none_correct;
}

ProblemScore score_problem(const std::vector<std::string>& responses, const std::string& gold, answer::Task task) {
  ProblemScore score;
  for (const auto& text : responses) {
    auto extracted = answer::extract_answer(text, task);
    score.correct.push_back(extracted && answer::equivalent(*extracted, gold, task));
    score.answers.push_back(std::move(extracted));
  }
  const auto clusters = answer::cluster_answers(score.answers, task);
  size_t best = 0;
  for (size_t c = 1; c < clusters.members.size(); ++c)
    if (clusters.members[c].size() > clusters.members[best].size()) best = c;  // strict: ties keep the earlier class
  if (!clusters.members.empty()) {
    score.majority = clusters.representative[best];
    score.majority_correct = answer::equivalent(*score.majority, gold, task);
  }
  return score;
}

}  // namespace ttrl::eval
