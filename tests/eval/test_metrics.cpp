#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ttrl/core/error.hpp"
#include "ttrl/eval/evaluator.hpp"
#include "ttrl/eval/metrics.hpp"

namespace {
using namespace ttrl::eval;

/// pass@k by enumerating every k-subset of n samples of which the first c are correct.
double brute_force_pass_at_k(int n, int c, int k) {
  int64_t subsets = 0, hit = 0;
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (__builtin_popcount(mask) != k) continue;
    ++subsets;
    hit += (mask & ((1u << c) - 1)) != 0;
  }
  return static_cast<double>(hit) / static_cast<double>(subsets);
}

TEST(EvalMetrics, UnbiasedPassAtKEqualsSubsetEnumeration) {
  for (int n = 1; n <= 12; ++n)
    for (int c = 0; c <= n; ++c)
      for (int k = 1; k <= n; ++k) EXPECT_NEAR(pass_at_k(n, c, k), brute_force_pass_at_k(n, c, k), 1e-12) << n << " " << c << " " << k;
  EXPECT_DOUBLE_EQ(pass_at_k(16, 0, 1), 0.0);
  EXPECT_DOUBLE_EQ(pass_at_k(16, 4, 1), 0.25);
  EXPECT_THROW(pass_at_k(4, 5, 1), ttrl::Error);
  EXPECT_THROW(pass_at_k(4, 1, 5), ttrl::Error);
}

TEST(EvalMetrics, MajorityIsTheLargestEquivalenceClass) {
  // "1/2" and "0.5" are one class of two; "3" appears once.
  auto score = score_problem({"so \\boxed{3}", "thus \\boxed{\\frac{1}{2}}", "\\boxed{0.5}", "no idea"}, "0.5",
                             ttrl::answer::Task::kMath);
  EXPECT_EQ(score.correct, (std::vector<bool>{false, true, true, false}));
  EXPECT_FALSE(score.answers[3].has_value());
  EXPECT_TRUE(score.majority_correct);
  // A tie between two classes of one goes to the class seen first.
  score = score_problem({"\\boxed{7}", "\\boxed{8}"}, "8", ttrl::answer::Task::kMath);
  EXPECT_EQ(*score.majority, "7");
  EXPECT_FALSE(score.majority_correct);
  score = score_problem({"nothing", "here"}, "8", ttrl::answer::Task::kMath);
  EXPECT_FALSE(score.majority.has_value());
  EXPECT_FALSE(score.majority_correct);
}

TEST(EvalMetrics, SummaryInPercent) {
  ProblemResult a, b;
  a.score = score_problem({"\\boxed{1}", "\\boxed{1}", "\\boxed{2}", "no idea"}, "1", ttrl::answer::Task::kMath);
  a.lengths = {10, 20, 30, 40};
  b.score = score_problem({"\\boxed{5}", "\\boxed{6}", "\\boxed{6}", "\\boxed{6}"}, "5", ttrl::answer::Task::kMath);
  b.lengths = {1, 1, 1, 1};
  const auto s = summarize({&a, &b}, 4);
  EXPECT_NEAR(s.avg_at_k, 100.0 * (0.5 + 0.25) / 2, 1e-9);
  EXPECT_NEAR(s.maj_at_k, 50.0, 1e-9);
  EXPECT_NEAR(s.pass_at_k, 100.0, 1e-9);
  EXPECT_NEAR(s.mean_length, 104.0 / 8, 1e-9);
  EXPECT_NEAR(s.no_answer_share, 100.0 / 8, 1e-9);
}

TEST(EvalMetrics, ComparisonTableHasDeltasAndRelativeChange) {
  const auto dir = std::filesystem::temp_directory_path() / "ttrl_eval_table";
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, double aime, double amc) {
    std::ofstream(dir / name) << R"({"model": ")" << name << R"(", "settings": {"k": 16}, "datasets": [
      {"name": "AIME-TTT", "summary": {"avg@16": )" << aime << R"(}},
      {"name": "AMC-TTT", "summary": {"avg@16": )" << amc << "}}]}";
  };
  write("base.json", 10.0, 40.0);
  write("ttrl.json", 20.0, 50.0);
  const auto table = comparison_table({(dir / "base.json").string(), (dir / "ttrl.json").string()});
  EXPECT_NE(table.find("| AIME-TTT | AMC-TTT | Avg |"), std::string::npos) << table;
  EXPECT_NE(table.find("| delta | +10.0 | +10.0 | +10.0 |"), std::string::npos) << table;
  EXPECT_NE(table.find("| relative | +100% | +25% | +40% |"), std::string::npos) << table;
  EXPECT_THROW(comparison_table({(dir / "missing.json").string()}), ttrl::Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
