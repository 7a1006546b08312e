#pragma once
// The demo's synthetic reasoning task, generated in code (no download): add a few small numbers, step by step.
//
//   question  "Compute 3+5+2+7+4."
//   solution  "3+5=8, 8+2=10, 10+7=17, 17+4=21. \boxed{21}"
//   answer    "21"
//   paraphrase "Compute 4+7+2+5+3."  (the same sum in another order: co_reward's second view of the question)
//
// Each step is one fact of the form (running sum) + (digit). The supervised (training) solutions can be noisy, as
// human-written worked solutions are: with probability slip_rate a step writes a result off by 1 or 2 and the
// solution carries on from it, so its boxed answer is wrong too. A model trained on them learns the arithmetic and
// the slips: sampled, it is right on most steps but slips now and then, and one slip anywhere changes the final
// answer. Slips scatter over many wrong values while the right value is shared, so the majority of several samples
// is right far more often than one sample: the situation test-time RL with a majority-vote reward learns from.
// Test problems always carry the true answer and a clean solution.
// Everything is a deterministic function of the seed (a SplitMix64 stream, identical on every platform).
#include <cstdint>
#include <string>
#include <vector>

namespace ttrl::data {

struct ToyTaskOptions {
  int64_t min_terms = 3;  ///< numbers per question, at least 2
  int64_t max_terms = 5;
  int64_t max_term = 9;   ///< each number is drawn from 1..max_term
  double slip_rate = 0.0; ///< training solutions: probability that a step's written result is off by 1 or 2
};

struct ToyProblem {
  std::vector<int64_t> terms;
  std::string question;  ///< "Compute 3+5+2."
  std::string solution;  ///< the worked steps ending in \boxed{...}: the true sum unless the solution has slips
  std::string answer;    ///< the true sum, in decimal
  /// The question with its numbers in another order (reversed; rotated when that reads the same; equal to the
  /// question only when every number is the same): co_reward's paraphrase, with the same answer.
  std::string paraphrase;
  int64_t slips = 0;     ///< steps of `solution` whose written result is wrong
};

/// The problem that adds `terms` (two or more, each >= 0). `slips` (empty, or one value per step, i.e.
/// terms.size() - 1): step i writes its true result plus slips[i] (clamped at 0) and continues from what it wrote.
ToyProblem make_toy_problem(const std::vector<int64_t>& terms, const std::vector<int64_t>& slips = {});

/// A supervised set and a held-out test set with no question in common; each set's questions are distinct.
struct ToySplit {
  std::vector<ToyProblem> train;
  std::vector<ToyProblem> test;
};

/// Draws `test_count` test questions first, then `train_count` training questions that are not among them; the
/// training solutions get slips at options.slip_rate.
/// Throws ttrl::ConfigError for invalid options or when the task has fewer distinct questions than requested.
ToySplit make_toy_split(int64_t train_count, int64_t test_count, uint64_t seed, const ToyTaskOptions& options = {});

/// JSONL, one {"prompt": question, "answer": answer, "solution": solution, "paraphrase": paraphrase} object per line,
/// in order.
std::string toy_problems_jsonl(const std::vector<ToyProblem>& problems);

}  // namespace ttrl::data
