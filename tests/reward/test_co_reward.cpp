// co_reward (Co-rewarding-I): each phrasing graded against the majority answer of the other's rollouts, by hand.
#include <gtest/gtest.h>

#include "reward/reward_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/reward/co_reward.hpp"

using namespace ttrl::reward;
using namespace ttrl::reward::testing;

namespace {

Group with_partner(const std::vector<std::optional<std::string>>& own,
                   const std::vector<std::optional<std::string>>& partner) {
  Group group = group_of(own);
  group.partner_rollouts = group_of(partner).rollouts;
  return group;
}

}  // namespace

TEST(CoReward, RewardsAgreementWithThePartnersMajority) {
  // Own majority 3, the paraphrase's majority 4: the partner's label decides.
  const RewardResult r = score_group(*std::make_unique<CoReward>(), with_partner({"3", "3", "4", kNone}, {"4", "4.0", "3"}));
  EXPECT_EQ(r.label, "4");
  EXPECT_EQ(r.rewards, (std::vector<double>{0.0, 0.0, 1.0, 0.0}));
  EXPECT_EQ(r.metrics.at("agrees_with_own_majority"), 0.0);
  EXPECT_NEAR(r.metrics.at("partner_majority_share"), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(r.metrics.at("answered_ratio"), 0.75);
}

TEST(CoReward, EquivalentAnswersAndAgreeingViews) {
  const RewardResult r = CoReward().score(with_partner({"\\frac{1}{2}", "0.5", "2"}, {"1/2", "0.5"}));
  EXPECT_EQ(r.rewards, (std::vector<double>{1.0, 1.0, 0.0}));
  EXPECT_EQ(r.metrics.at("agrees_with_own_majority"), 1.0);
}

TEST(CoReward, NoAnswerInThePartnerMeansNoLabelAndZeroRewards) {
  const RewardResult r = CoReward().score(with_partner({"1", "1"}, {kNone, kNone}));
  EXPECT_FALSE(r.label.has_value());
  EXPECT_EQ(r.rewards, (std::vector<double>{0.0, 0.0}));
}

TEST(CoReward, TiesInThePartnerGoToTheClassMetFirst) {
  EXPECT_EQ(CoReward().score(with_partner({"5", "6"}, {"6", "5", "5", "6"})).label, "6");
}

TEST(CoReward, AGroupWithoutPartnerRolloutsIsAnError) {
  try {
    CoReward().score(group_of({"1"}));
    FAIL();
  } catch (const ttrl::Error& e) {
    EXPECT_NE(std::string(e.what()).find("co_reward: the group has no partner rollouts"), std::string::npos);
  }
}
