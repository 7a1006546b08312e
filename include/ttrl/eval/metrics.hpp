#pragma once
// Evaluation metrics over k samples per problem (the TTRL/DARE papers' protocol: k = 16).
//   avg@k  = mean accuracy of the k samples (the papers' pass@1)
//   maj@k  = 1 when the largest equivalence class of the k answers is equivalent to the gold (exact majority over
//            classes, ties to the class whose first member came first; no bootstrap); no answer at all: 0
//   pass@k = unbiased estimator of Chen et al. (2021): 1 - C(n - c, k) / C(n, k) for n samples with c correct
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ttrl/answer/answer.hpp"

namespace ttrl::eval {

/// Unbiased pass@k from n samples with c correct (1 <= k <= n), as the product
/// 1 - prod_{i = n - c + 1}^{n} (1 - k / i), which stays exact for large n. Throws ttrl::Error on bad arguments.
double pass_at_k(int64_t n, int64_t c, int64_t k);

/// One problem's k graded samples.
struct ProblemScore {
  std::vector<std::optional<std::string>> answers;  ///< extracted answers (nullopt = none)
  std::vector<bool> correct;                         ///< per sample: answer equivalent to the gold
  std::optional<std::string> majority;               ///< representative of the largest class
  bool majority_correct = false;
};

/// Extracts and grades k responses against `gold` (an answer, not a solution text).
ProblemScore score_problem(const std::vector<std::string>& responses, const std::string& gold, answer::Task task);

}  // namespace ttrl::eval
