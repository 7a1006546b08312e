// dare: hand-computed groups (formulas in include/ttrl/reward/dare.hpp; alpha 0.5, tau 0.05, epsilon 0.01 unless
// stated). Entropies are given as u = H / ln(V).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "reward/reward_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/reward/dare.hpp"

using namespace ttrl::reward;
using namespace ttrl::reward::testing;

namespace {

constexpr double kTol = 1e-12;

/// The hand-computed cases use alpha 0.5 (not the default 0.1) so that the bonus weighs visibly.
constexpr DareOptions kHandComputed{0.5, 0.05, 0.01};

RewardResult dare(const Group& group, DareOptions options = kHandComputed) { return DareReward(options).score(group); }

void expect_rewards(const RewardResult& result, const std::vector<double>& expected) {
  ASSERT_EQ(result.rewards.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(result.rewards[i], expected[i], kTol) << "rollout " << i;
}

std::string error_of(const Group& group) {
  try {
    dare(group);
  } catch (const ttrl::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "dare did not throw";
  return "";
}

}  // namespace

TEST(Dare, DefaultsMatchTheConfig) {
  const DareOptions options;
  EXPECT_EQ(options.alpha, 0.1);
  EXPECT_EQ(options.tau, 0.05);
  EXPECT_EQ(options.epsilon, 0.01);
}

TEST(Dare, TwoClassesAndANoAnswer) {
  // A: n=2, u=(0.1+0.3)/2=0.2; B: n=1, u=0.1; M=4.
  // p_A = (2/0.21) / (2/0.21 + 1/0.11) = 0.22/0.43, p_B = 0.21/0.43 (both >= tau).
  // r_A = 22/43 + 0.5 * (1 - 2/4) * (1 - 0.2) = 22/43 + 0.2;  r_B = 21/43 + 0.5 * (3/4) * 0.9 = 21/43 + 0.3375.
  const auto result = dare(group_of({"1", "1", "2", kNone}, {0.1, 0.3, 0.1, 0.5}));
  expect_rewards(result, {22.0 / 43 + 0.2, 22.0 / 43 + 0.2, 21.0 / 43 + 0.3375, 0.0});
  EXPECT_EQ(result.label, "1");  // largest p
  EXPECT_DOUBLE_EQ(result.metrics.at("num_clusters"), 2);
  EXPECT_DOUBLE_EQ(result.metrics.at("num_pruned"), 0);
  EXPECT_NEAR(result.metrics.at("mean_uncertainty"), (0.1 + 0.3 + 0.1) / 3, kTol);
}

TEST(Dare, PruningCanRemoveTheMajority) {
  // A: n=3, u=0.9; B: n=1, u=0. p_A = (3/0.91) / (3/0.91 + 1/0.01) = 0.0319 < 0.05: pruned.
  // B alone: p_B = 1, r_B = 1 + 0.5 * (1 - 1/4) * (1 - 0) = 1.375.
  const auto result = dare(group_of({"3", "3", "7", "3"}, {0.9, 0.9, 0.0, 0.9}));
  expect_rewards(result, {0, 0, 1.375, 0});
  EXPECT_EQ(result.label, "7");
  EXPECT_DOUBLE_EQ(result.metrics.at("num_pruned"), 1);
}

TEST(Dare, PrunedClassesDoNotCountInTheRenormalisation) {
  // A: n=5 u=0.1 -> w=5/0.11; B: n=4 u=0.1 -> w=4/0.11; C: n=1 u=0.5 -> w=1/0.51 (p_C = 0.0234 < 0.05).
  // Survivors: p_A = 5/9, p_B = 4/9. M=10: r_A = 5/9 + 0.5*0.5*0.9, r_B = 4/9 + 0.5*0.6*0.9.
  const auto result = dare(group_of({"1", "1", "1", "1", "1", "2", "2", "2", "2", "3"},
                                    {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.5}));
  const double r_a = 5.0 / 9 + 0.225, r_b = 4.0 / 9 + 0.27;
  expect_rewards(result, {r_a, r_a, r_a, r_a, r_a, r_b, r_b, r_b, r_b, 0});
}

TEST(Dare, AllDifferentAnswersBelowTauGetNothing) {
  // 21 singletons with equal u: p = 1/21 < 0.05 for each, so pruning would drop every class: all 0, no label.
  std::vector<std::optional<std::string>> answers;
  for (int i = 0; i < 21; ++i) answers.push_back(std::to_string(i));
  const auto result = dare(group_of(answers, std::vector<double>(21, 0.3)));
  expect_rewards(result, std::vector<double>(21, 0.0));
  EXPECT_FALSE(result.label.has_value());
  EXPECT_DOUBLE_EQ(result.metrics.at("num_pruned"), 21);
}

TEST(Dare, ProbabilityExactlyAtTauSurvives) {
  // 20 singletons with equal u: p = 1/20 = tau exactly (up to rounding): kept. r = 0.05 + 0.5 * (19/20) * 0.5.
  std::vector<std::optional<std::string>> answers;
  for (int i = 0; i < 20; ++i) answers.push_back(std::to_string(i));
  const auto result = dare(group_of(answers, std::vector<double>(20, 0.5)));
  expect_rewards(result, std::vector<double>(20, 0.05 + 0.5 * 0.95 * 0.5));
  EXPECT_EQ(result.label, "0");  // equal p: the class met first
}

TEST(Dare, OneRollout) {
  // M = 1: p = 1, bonus (1 - 1/1) * (1 - u) = 0.
  expect_rewards(dare(group_of({"4"}, {0.3})), {1.0});
  const auto none = dare(group_of({kNone}));
  expect_rewards(none, {0.0});
  EXPECT_FALSE(none.label.has_value());
}

TEST(Dare, NoAnswersAnywhere) {
  const auto result = dare(group_of({kNone, kNone, kNone}));  // entropies not needed
  expect_rewards(result, {0, 0, 0});
  EXPECT_FALSE(result.label.has_value());
}

TEST(Dare, ZeroUncertainty) {
  // u = 0 everywhere: w_A = 2/0.01, w_B = 1/0.01 -> p_A = 2/3, p_B = 1/3.
  // r_A = 2/3 + 0.5 * (1/3) * 1, r_B = 1/3 + 0.5 * (2/3) * 1.
  const auto result = dare(group_of({"5", "6", "5"}, {0, 0, 0}));
  expect_rewards(result, {2.0 / 3 + 1.0 / 6, 1.0 / 3 + 1.0 / 3, 2.0 / 3 + 1.0 / 6});
}

TEST(Dare, EntropyAboveLogVocabIsClampedToOne) {
  // u = min(2, 1) = 1 for B: p_A = (1/0.01) / (1/0.01 + 1/1.01) = 1.01/1.02, p_B = 0.01/1.02 < tau: pruned.
  // A alone: p = 1, r_A = 1 + 0.5 * (1/2) * 1.
  expect_rewards(dare(group_of({"1", "2"}, {0.0, 2.0})), {1.25, 0.0});
}

TEST(Dare, TauZeroNeverPrunesAndAlphaZeroGivesProbabilities) {
  const auto result = dare(group_of({"3", "3", "7", "3"}, {0.9, 0.9, 0.0, 0.9}), {0.0, 0.0, 0.01});
  const double w_a = 3 / 0.91, w_b = 1 / 0.01;
  expect_rewards(result, {w_a / (w_a + w_b), w_a / (w_a + w_b), w_b / (w_a + w_b), w_a / (w_a + w_b)});
}

TEST(Dare, PerTokenEntropiesAreAveraged) {
  Group group = group_of({"1", "2"}, {0.2, 0.2});
  const double log_v = std::log(static_cast<double>(kTestVocab));
  // Rollout 0: tokens with u 0.1 and 0.3 (mean 0.2); its mean_entropy (0.2) is ignored in favour of the tokens.
  group.rollouts[0].token_entropies = {static_cast<float>(0.1 * log_v), static_cast<float>(0.3 * log_v)};
  group.rollouts[0].mean_entropy = 0.9 * log_v;
  const auto result = dare(group);
  EXPECT_NEAR(result.rewards[0], result.rewards[1], 1e-6);  // both classes: n=1, u=0.2
  EXPECT_NEAR(result.rewards[0], 0.5 + 0.5 * 0.5 * 0.8, 1e-6);
}

TEST(Dare, MissingOrBadEntropyIsAnError) {
  Group group = group_of({"1", "2", kNone}, {0.1});  // rollout 1 has an answer but no entropy
  EXPECT_NE(error_of(group).find("rollout 1 has an answer but no token entropy"), std::string::npos);
  group = group_of({"1", "2"}, {0.1, -0.5});
  EXPECT_NE(error_of(group).find("rollout 1 has mean token entropy"), std::string::npos);
  group = group_of({"1"}, {std::numeric_limits<double>::quiet_NaN()});
  EXPECT_NE(error_of(group).find("rollout 0"), std::string::npos);
}

TEST(Dare, VocabularySizeIsRequired) {
  Group group = group_of({"1"}, {0.1});
  group.vocab_size = 0;
  EXPECT_NE(error_of(group).find("vocab_size"), std::string::npos);
}

TEST(Dare, OptionsAreValidated) {
  EXPECT_THROW(DareReward({1.5, 0.05, 0.01}), ttrl::ConfigError);
  EXPECT_THROW(DareReward({-0.1, 0.05, 0.01}), ttrl::ConfigError);
  EXPECT_THROW(DareReward({0.5, 1.01, 0.01}), ttrl::ConfigError);
  EXPECT_THROW(DareReward({0.5, 0.05, 0.0}), ttrl::ConfigError);
  EXPECT_THROW(DareReward({0.5, 0.05, std::numeric_limits<double>::quiet_NaN()}), ttrl::ConfigError);
  EXPECT_NO_THROW(DareReward({1.0, 1.0, 1.0}));
  EXPECT_NO_THROW(DareReward({0.0, 0.0, 1e-9}));
}

TEST(DareClassScores, HandComputed) {
  // The pruning example on class statistics directly.
  const DareScores scores = dare_class_scores({{3, 0.9}, {1, 0.0}}, 4, kHandComputed);
  EXPECT_EQ(scores.kept, (std::vector<bool>{false, true}));
  EXPECT_EQ(scores.probability, (std::vector<double>{0.0, 1.0}));
  EXPECT_DOUBLE_EQ(scores.reward[1], 1.375);
  EXPECT_EQ(scores.reward[0], 0.0);
}

TEST(DareClassScores, KeptProbabilitiesSumToOne) {
  const DareScores scores = dare_class_scores({{10, 0.05}, {6, 0.2}, {3, 0.01}, {1, 0.6}}, 24, {});
  double sum = 0;
  for (size_t c = 0; c < scores.kept.size(); ++c) sum += scores.kept[c] ? scores.probability[c] : 0.0;
  EXPECT_NEAR(sum, 1.0, kTol);
  EXPECT_FALSE(scores.kept[3]);  // w = 1/0.61 against 10/0.06 + 6/0.21 + 3/0.02: p = 0.0047
}

TEST(DareClassScores, RejectsInconsistentStatistics) {
  EXPECT_THROW(dare_class_scores({{3, 0.1}}, 2, {}), ttrl::Error);   // more members than rollouts
  EXPECT_THROW(dare_class_scores({{0, 0.1}}, 2, {}), ttrl::Error);   // empty class
  EXPECT_THROW(dare_class_scores({{1, 1.5}}, 2, {}), ttrl::Error);   // u outside [0, 1]
  EXPECT_TRUE(dare_class_scores({}, 3, {}).reward.empty());
}
