// The demo's synthetic task: correct sums, worked solutions that end in \boxed{answer} and that the math extractor
// reads back, disjoint and distinct splits, and the same problems for the same seed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <numeric>
#include <set>
#include <sstream>

#include "ttrl/answer/answer.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/data/toy_task.hpp"

namespace {
using namespace ttrl::data;

TEST(ToyTask, WorkedSolutionByHand) {
  const ToyProblem p = make_toy_problem({3, 5, 2, 7, 4});
  EXPECT_EQ(p.question, "Compute 3+5+2+7+4.");
  EXPECT_EQ(p.solution, "3+5=8, 8+2=10, 10+7=17, 17+4=21. \\boxed{21}");
  EXPECT_EQ(p.answer, "21");
  EXPECT_THROW(make_toy_problem({4}), ttrl::Error);
}

TEST(ToyTask, EveryProblemIsRightAndExtractable) {
  const ToyTaskOptions options{2, 6, 9};
  const ToySplit split = make_toy_split(500, 100, 7, options);
  for (const auto* set : {&split.train, &split.test})
    for (const ToyProblem& p : *set) {
      ASSERT_GE(static_cast<int64_t>(p.terms.size()), options.min_terms);
      ASSERT_LE(static_cast<int64_t>(p.terms.size()), options.max_terms);
      for (int64_t t : p.terms) ASSERT_TRUE(t >= 1 && t <= options.max_term) << p.question;
      EXPECT_EQ(p.answer, std::to_string(std::accumulate(p.terms.begin(), p.terms.end(), int64_t{0})));
      const std::string boxed = "\\boxed{" + p.answer + "}";
      ASSERT_GE(p.solution.size(), boxed.size());
      EXPECT_EQ(p.solution.substr(p.solution.size() - boxed.size()), boxed);
      EXPECT_EQ(ttrl::answer::extract_answer(p.solution, ttrl::answer::Task::kMath), p.answer) << p.solution;
    }
}

TEST(ToyTask, SplitsAreDistinctAndDisjoint) {
  const ToySplit split = make_toy_split(2000, 200, 3);
  ASSERT_EQ(split.train.size(), 2000u);
  ASSERT_EQ(split.test.size(), 200u);
  std::set<std::string> test, train;
  for (const auto& p : split.test) test.insert(p.question);
  for (const auto& p : split.train) train.insert(p.question);
  EXPECT_EQ(test.size(), split.test.size());
  EXPECT_EQ(train.size(), split.train.size());
  for (const auto& q : train) EXPECT_EQ(test.count(q), 0u) << q;
}

TEST(ToyTask, SeededDeterminism) {
  const ToySplit a = make_toy_split(300, 30, 11), b = make_toy_split(300, 30, 11), c = make_toy_split(300, 30, 12);
  EXPECT_EQ(toy_problems_jsonl(a.train), toy_problems_jsonl(b.train));
  EXPECT_EQ(toy_problems_jsonl(a.test), toy_problems_jsonl(b.test));
  EXPECT_NE(toy_problems_jsonl(a.test), toy_problems_jsonl(c.test));
  // The test set does not depend on how many training problems are drawn after it.
  EXPECT_EQ(toy_problems_jsonl(make_toy_split(10, 30, 11).test), toy_problems_jsonl(a.test));
}

TEST(ToyTask, JsonlRecords) {
  const ToyProblem p = make_toy_problem({1, 2});
  const auto j = nlohmann::json::parse(toy_problems_jsonl({p}));
  EXPECT_EQ(j.at("prompt"), "Compute 1+2.");
  EXPECT_EQ(j.at("answer"), "3");
  EXPECT_EQ(j.at("solution"), "1+2=3. \\boxed{3}");
  EXPECT_EQ(j.at("paraphrase"), "Compute 2+1.");
}

TEST(ToyTask, ParaphraseIsTheSameSumInAnotherOrder) {
  EXPECT_EQ(make_toy_problem({3, 5, 2, 7, 4}).paraphrase, "Compute 4+7+2+5+3.");
  EXPECT_EQ(make_toy_problem({3, 5, 3}).paraphrase, "Compute 5+3+3.");  // the reverse reads the same: rotated
  EXPECT_EQ(make_toy_problem({6, 6}).paraphrase, "Compute 6+6.");        // no other order exists
}

TEST(ToyTask, SlipsAreCarriedOnAndCounted) {
  const ToyProblem p = make_toy_problem({3, 5, 2}, {1, 0});
  EXPECT_EQ(p.solution, "3+5=9, 9+2=11. \\boxed{11}");
  EXPECT_EQ(p.answer, "10");  // the true sum, whatever the solution wrote
  EXPECT_EQ(p.slips, 1);
  const ToyProblem clamped = make_toy_problem({1, 1}, {-2});
  EXPECT_EQ(clamped.solution, "1+1=0. \\boxed{0}");
  EXPECT_EQ(clamped.slips, 1);
  EXPECT_THROW(make_toy_problem({1, 2, 3}, {1}), ttrl::Error);
}

TEST(ToyTask, SlipRateAppliesToTrainingSolutionsOnly) {
  ToyTaskOptions options;
  options.slip_rate = 0.2;
  const ToySplit split = make_toy_split(3000, 200, 5, options);
  int64_t steps = 0, slips = 0;
  for (const auto& p : split.train) {
    steps += static_cast<int64_t>(p.terms.size()) - 1;
    slips += p.slips;
    // A slipped solution boxes the value its steps reached; a clean one boxes the true answer.
    const auto boxed = ttrl::answer::extract_answer(p.solution, ttrl::answer::Task::kMath);
    ASSERT_TRUE(boxed.has_value());
    if (p.slips == 0) EXPECT_EQ(*boxed, p.answer) << p.solution;
  }
  // Binomial(steps ~ 9000, 0.2): the share is within 0.2 +- 0.02 (more than 4 standard deviations).
  EXPECT_NEAR(static_cast<double>(slips) / static_cast<double>(steps), 0.2, 0.02);
  for (const auto& p : split.test) {
    EXPECT_EQ(p.slips, 0);
    EXPECT_EQ(ttrl::answer::extract_answer(p.solution, ttrl::answer::Task::kMath), p.answer);
  }
  options.slip_rate = 1.0;
  for (const auto& p : make_toy_split(50, 0, 5, options).train)
    EXPECT_EQ(p.slips, static_cast<int64_t>(p.terms.size()) - 1) << p.solution;  // every step slips
}

TEST(ToyTask, BadOptionsAreConfigErrors) {
  EXPECT_THROW(make_toy_split(1, 1, 0, {1, 3, 9}), ttrl::ConfigError);
  EXPECT_THROW(make_toy_split(1, 1, 0, {4, 3, 9}), ttrl::ConfigError);
  EXPECT_THROW(make_toy_split(1, 1, 0, {2, 3, 0}), ttrl::ConfigError);
  EXPECT_THROW(make_toy_split(1, 1, 0, {2, 3, 9, 1.5}), ttrl::ConfigError);
  // Two numbers from 1..2: only 4 distinct questions.
  EXPECT_THROW(make_toy_split(10, 10, 0, {2, 2, 2}), ttrl::ConfigError);
}

}  // namespace
