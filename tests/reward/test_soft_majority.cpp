// soft_majority (SRT soft mode): hand-computed groups, r_i = |class(i)| / G.
#include <gtest/gtest.h>

#include "reward/reward_test_util.hpp"
#include "ttrl/reward/registry.hpp"
#include "ttrl/reward/soft_majority.hpp"

using namespace ttrl::reward;
using namespace ttrl::reward::testing;
using Rewards = std::vector<double>;

namespace {
RewardResult soft(const Group& group) { return SoftMajorityReward().score(group); }
}  // namespace

TEST(SoftMajority, ShareOfTheWholeGroupByEquivalenceClass) {
  // Classes {1, 1, 1} and {2} among G = 5 (one without answer): 3/5 and 1/5; the no-answer rollout gets 0.
  const auto result = soft(group_of({"1", "2", "1", kNone, "1"}));
  EXPECT_EQ(result.rewards, (Rewards{0.6, 0.2, 0.6, 0.0, 0.6}));
  EXPECT_EQ(result.label, "1");
  EXPECT_DOUBLE_EQ(result.metrics.at("majority_share"), 0.6);
  EXPECT_DOUBLE_EQ(result.metrics.at("answered_ratio"), 0.8);
  // "\frac{1}{2}" and "0.5" agree: 3/5 each.
  EXPECT_EQ(soft(group_of({"3", "\\frac{1}{2}", "0.5", "3", "0.5"})).rewards, (Rewards{0.4, 0.6, 0.6, 0.4, 0.6}));
}

TEST(SoftMajority, TiesNeedNoRuleAndEdgeGroups) {
  EXPECT_EQ(soft(group_of({"2", "1", "1", "2"})).rewards, (Rewards{0.5, 0.5, 0.5, 0.5}));
  EXPECT_EQ(soft(group_of({"7"})).rewards, (Rewards{1.0}));  // one rollout agrees with itself
  const auto none = soft(group_of({kNone, kNone}));
  EXPECT_EQ(none.rewards, (Rewards{0.0, 0.0}));
  EXPECT_FALSE(none.label.has_value());
  EXPECT_DOUBLE_EQ(none.metrics.at("majority_share"), 0.0);
  EXPECT_TRUE(soft(group_of({})).rewards.empty());
}

TEST(SoftMajority, IsABuiltInReward) {
  ttrl::RewardSection section;
  section.name = "soft_majority";
  EXPECT_EQ(make_reward(section)->score(group_of({"4", "4", "5"})).rewards, (Rewards{2.0 / 3.0, 2.0 / 3.0, 1.0 / 3.0}));
}
