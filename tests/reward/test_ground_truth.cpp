// ground_truth: 1 for answers equivalent to the gold answer.
#include <gtest/gtest.h>

#include "reward/reward_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/reward/ground_truth.hpp"

using namespace ttrl::reward;
using namespace ttrl::reward::testing;
using Rewards = std::vector<double>;

TEST(GroundTruth, EquivalentAnswersGetOne) {
  Group group = group_of({"0.5", "2", kNone, "\\frac{1}{2}", ""});
  group.gold = "\\frac{1}{2}";
  const auto result = GroundTruthReward().score(group);
  EXPECT_EQ(result.rewards, (Rewards{1, 0, 0, 1, 0}));
  EXPECT_EQ(result.label, "\\frac{1}{2}");
}

TEST(GroundTruth, AimeGoldWithLeadingZeros) {
  Group group = group_of({"25", "025", "52"});
  group.gold = "025";
  EXPECT_EQ(GroundTruthReward().score(group).rewards, (Rewards{1, 1, 0}));
}

TEST(GroundTruth, ChoiceLetters) {
  Group group = group_of({"D", "A", kNone, "D"}, {}, ttrl::answer::Task::kChoice);
  group.gold = "D";
  EXPECT_EQ(GroundTruthReward().score(group).rewards, (Rewards{1, 0, 0, 1}));
}

TEST(GroundTruth, MissingGoldIsAnError) {
  const Group group = group_of({"1"});
  try {
    GroundTruthReward().score(group);
    FAIL() << "no error without gold";
  } catch (const ttrl::Error& e) {
    EXPECT_NE(std::string(e.what()).find("gold"), std::string::npos) << e.what();
  }
}
