// TTRL analysis metrics and score_group's checks.
#include <gtest/gtest.h>

#include <limits>

#include "reward/reward_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/reward/majority_vote.hpp"
#include "ttrl/reward/ttrl_metrics.hpp"

using namespace ttrl::reward;
using namespace ttrl::reward::testing;

namespace {

/// Returns a fixed result, whatever the group.
class FixedReward : public RewardFn {
 public:
  explicit FixedReward(RewardResult result) : result_(std::move(result)) {}
  RewardResult score(const Group&) override { return result_; }

 private:
  RewardResult result_;
};

}  // namespace

TEST(TtrlMetrics, WrongMajority) {
  // Votes: "2" x2, "1" x1, none x1 -> label "2", rewards [0, 1, 1, 0]; gold "1": true rewards [1, 0, 0, 0].
  Group group = group_of({"1", "2", "2", kNone});
  group.gold = "1";
  const RewardResult result = MajorityVoteReward().score(group);
  const Metrics m = ttrl_metrics(group, result);
  EXPECT_DOUBLE_EQ(m.at("label_accuracy"), 0.0);
  EXPECT_DOUBLE_EQ(m.at("reward_accuracy"), 0.25);  // only the no-answer rollout is rewarded correctly
  EXPECT_DOUBLE_EQ(m.at("majority_ratio"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("pass@n"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("ground_truth_ratio"), 0.25);
}

TEST(TtrlMetrics, LabelComparedByEquivalenceNotReExtracted) {
  Group group = group_of({"\\frac{1}{2}", "0.5", "3"});
  group.gold = "0.5";
  const RewardResult result = MajorityVoteReward().score(group);
  ASSERT_EQ(result.label, "\\frac{1}{2}");
  const Metrics m = ttrl_metrics(group, result);
  EXPECT_DOUBLE_EQ(m.at("label_accuracy"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("reward_accuracy"), 1.0);
  EXPECT_NEAR(m.at("majority_ratio"), 2.0 / 3, 1e-15);
  EXPECT_NEAR(m.at("ground_truth_ratio"), 2.0 / 3, 1e-15);
}

TEST(TtrlMetrics, ContinuousRewardsAreThresholdedAtOneHalf) {
  Group group = group_of({"1", "1", "2", kNone});
  group.gold = "1";  // true rewards [1, 1, 0, 0]
  RewardResult result;
  result.rewards = {0.5, 0.49, 0.9, 0.0};  // binarised [1, 0, 1, 0]
  const Metrics m = ttrl_metrics(group, result);
  EXPECT_DOUBLE_EQ(m.at("reward_accuracy"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("label_accuracy"), 0.0);  // no label
}

TEST(TtrlMetrics, WithoutGoldOnlyMajorityRatio) {
  const Group group = group_of({"1", "1", "2", kNone, "1"});
  const Metrics m = ttrl_metrics(group, MajorityVoteReward().score(group));
  EXPECT_EQ(m.size(), 1u);
  EXPECT_DOUBLE_EQ(m.at("majority_ratio"), 0.6);
}

TEST(TtrlMetrics, NoAnswersAndNoRollouts) {
  Group group = group_of({kNone, kNone});
  group.gold = "3";
  const Metrics m = ttrl_metrics(group, MajorityVoteReward().score(group));
  EXPECT_DOUBLE_EQ(m.at("majority_ratio"), 0.0);
  EXPECT_DOUBLE_EQ(m.at("pass@n"), 0.0);
  EXPECT_DOUBLE_EQ(m.at("reward_accuracy"), 1.0);  // nothing rewarded, nothing correct
  EXPECT_TRUE(ttrl_metrics(group_of({}), RewardResult{}).empty());
}

TEST(ScoreGroup, AddsTtrlMetricsToTheRewardsOwn) {
  Group group = group_of({"4", "4", "5"});
  group.gold = "4";
  MajorityVoteReward vote;
  const RewardResult result = score_group(vote, group);
  EXPECT_DOUBLE_EQ(result.metrics.at("num_clusters"), 2);
  EXPECT_DOUBLE_EQ(result.metrics.at("label_accuracy"), 1);
  EXPECT_DOUBLE_EQ(result.metrics.at("reward_accuracy"), 1);
}

TEST(ScoreGroup, RejectsWrongCountsAndNonFiniteRewards) {
  const Group group = group_of({"1", "2"});
  FixedReward too_few(RewardResult{{1.0}, std::nullopt, {}});
  EXPECT_THROW(score_group(too_few, group), ttrl::Error);
  FixedReward nan(RewardResult{{1.0, std::numeric_limits<double>::quiet_NaN()}, std::nullopt, {}});
  try {
    score_group(nan, group);
    FAIL() << "NaN accepted";
  } catch (const ttrl::Error& e) {
    EXPECT_NE(std::string(e.what()).find("rollout 1"), std::string::npos) << e.what();
  }
  FixedReward infinite(RewardResult{{std::numeric_limits<double>::infinity(), 0.0}, std::nullopt, {}});
  EXPECT_THROW(score_group(infinite, group), ttrl::Error);
}

TEST(GroupHelpers, MeanTokenEntropyPrefersTokens) {
  Rollout rollout;
  EXPECT_FALSE(mean_token_entropy(rollout).has_value());
  rollout.mean_entropy = 2.0;
  EXPECT_DOUBLE_EQ(*mean_token_entropy(rollout), 2.0);
  rollout.token_entropies = {1.0f, 2.0f, 4.5f};
  EXPECT_DOUBLE_EQ(*mean_token_entropy(rollout), 2.5);
}

TEST(GroupHelpers, AnswersOfTreatsBlankAsNone) {
  const auto answers = answers_of(group_of({"1", "", " \t", kNone}));
  EXPECT_EQ(answers, (std::vector<std::optional<std::string>>{"1", kNone, kNone, kNone}));
}

TEST(GroupHelpers, ExtractAnswersReadsTheText) {
  Group group = group_of({kNone, kNone});
  group.rollouts[0].text = "So the final answer is \\boxed{17}.";
  group.rollouts[1].text = "no idea";
  group.rollouts[1].answer = "stale";
  extract_answers(group);
  EXPECT_EQ(group.rollouts[0].answer, "17");
  EXPECT_FALSE(group.rollouts[1].answer.has_value());
}
