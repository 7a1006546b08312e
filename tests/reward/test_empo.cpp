// empo (EMPO): share of the group in the rollout's answer class, with the entropy and confidence gates, by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "reward/reward_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/reward/empo.hpp"
#include "ttrl/reward/soft_majority.hpp"

using namespace ttrl::reward;
using namespace ttrl::reward::testing;

TEST(Empo, RewardIsTheShareOfTheClassZeroWithoutAnAnswer) {
  // classes {1, 1.0, 1}, {2}; one rollout without an answer. G = 5.
  const Group g = group_of({"1", "2", "1.0", kNone, "1"});
  const RewardResult r = score_group(*std::make_unique<EmpoReward>(EmpoGate::kEntropy), g);
  EXPECT_EQ(r.rewards, (std::vector<double>{0.6, 0.2, 0.6, 0.0, 0.6}));
  EXPECT_EQ(r.label, "1");
  EXPECT_EQ(r.metrics.at("gated"), 0.0);
  // H over {3, 1, 1 (no answer)} / 5.
  const double want_h = -(0.6 * std::log(0.6) + 2 * 0.2 * std::log(0.2));
  EXPECT_NEAR(r.metrics.at("semantic_entropy"), want_h, 1e-12);
}

TEST(Empo, EntropyGateZeroesAGroupOfDistinctAnswers) {
  // Every rollout its own class: H = ln G, the gate closes (EMPO: reward only while H < ln G).
  EmpoReward reward(EmpoGate::kEntropy);
  const RewardResult distinct = reward.score(group_of({"1", "2", "3", "4"}));
  EXPECT_EQ(distinct.rewards, (std::vector<double>(4, 0.0)));
  EXPECT_EQ(distinct.metrics.at("gated"), 1.0);
  EXPECT_NEAR(distinct.metrics.at("semantic_entropy"), std::log(4.0), 1e-12);
  // One no-answer rollout is one more singleton class: still all distinct.
  EXPECT_EQ(reward.score(group_of({"1", "2", kNone})).metrics.at("gated"), 1.0);
  // Two rollouts without an answer form a class of two: H < ln G, the gate stays open.
  const RewardResult open = reward.score(group_of({"1", "2", kNone, kNone}));
  EXPECT_EQ(open.metrics.at("gated"), 0.0);
  EXPECT_EQ(open.rewards, (std::vector<double>{0.25, 0.25, 0.0, 0.0}));
  // One agreeing pair is enough to open it.
  EXPECT_EQ(reward.score(group_of({"1", "2", "3", "3"})).rewards, (std::vector<double>{0.25, 0.25, 0.5, 0.5}));
}

TEST(Empo, ConfidenceGateNeedsAQuarterOfTheGroupInTheLargestClass) {
  EmpoReward reward(EmpoGate::kConfidence);
  // 8 rollouts, largest class 2 = 25%: kept.
  const RewardResult kept = reward.score(group_of({"1", "1", "2", "3", "4", "5", "6", "7"}));
  EXPECT_EQ(kept.metrics.at("gated"), 0.0);
  EXPECT_DOUBLE_EQ(kept.rewards[0], 0.25);
  // 9 rollouts, largest class 2 < 25%: zeroed, label still reported.
  const RewardResult gated = reward.score(group_of({"1", "1", "2", "3", "4", "5", "6", "7", "8"}));
  EXPECT_EQ(gated.metrics.at("gated"), 1.0);
  EXPECT_EQ(gated.rewards, (std::vector<double>(9, 0.0)));
  EXPECT_EQ(gated.label, "1");
  // Without answers the largest class is empty: zeroed.
  EXPECT_EQ(reward.score(group_of({kNone, kNone})).metrics.at("gated"), 1.0);
}

TEST(Empo, NoGateEqualsSoftMajority) {
  const Group g = group_of({"1", "2", "3", "4", kNone});
  EXPECT_EQ(EmpoReward(EmpoGate::kNone).score(g).rewards, SoftMajorityReward().score(g).rewards);
  EXPECT_EQ(EmpoReward(EmpoGate::kNone).score(g).rewards, (std::vector<double>{0.2, 0.2, 0.2, 0.2, 0.0}));
}

TEST(Empo, GroupOfOneIsGatedByEntropy) {
  // H = 0 = ln 1: EMPO's `total_entropy < log(G)` is false, so the reward is 0.
  EXPECT_EQ(EmpoReward(EmpoGate::kEntropy).score(group_of({"1"})).rewards, (std::vector<double>{0.0}));
  EXPECT_EQ(EmpoReward(EmpoGate::kNone).score(group_of({"1"})).rewards, (std::vector<double>{1.0}));
}

TEST(Empo, GateNames) {
  EXPECT_EQ(parse_empo_gate("none"), EmpoGate::kNone);
  EXPECT_EQ(parse_empo_gate("entropy"), EmpoGate::kEntropy);
  EXPECT_EQ(parse_empo_gate("confidence"), EmpoGate::kConfidence);
  EXPECT_THROW(parse_empo_gate("entropie"), ttrl::ConfigError);
}
