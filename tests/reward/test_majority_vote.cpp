// majority_vote: hand-computed groups (TTRL rules: equivalence classes, first-come ties, no-answer never votes).
#include <gtest/gtest.h>

#include "reward/reward_test_util.hpp"
#include "ttrl/reward/majority_vote.hpp"

using namespace ttrl::reward;
using namespace ttrl::reward::testing;
using Rewards = std::vector<double>;

namespace {
RewardResult vote(const Group& group) { return MajorityVoteReward().score(group); }
}  // namespace

TEST(MajorityVote, LargestClassIsTheLabel) {
  const auto result = vote(group_of({"1", "2", "1", kNone, "1"}));
  EXPECT_EQ(result.label, "1");
  EXPECT_EQ(result.rewards, (Rewards{1, 0, 1, 0, 1}));
  EXPECT_DOUBLE_EQ(result.metrics.at("answered_ratio"), 0.8);
  EXPECT_DOUBLE_EQ(result.metrics.at("num_clusters"), 2);
}

TEST(MajorityVote, VotesByEquivalenceNotString) {
  // {1/2, 0.5, 0.5} outvotes {3, 3} only when "\frac{1}{2}" and "0.5" vote together.
  const auto result = vote(group_of({"3", "\\frac{1}{2}", "0.5", "3", "0.5"}));
  EXPECT_EQ(result.label, "\\frac{1}{2}");  // the class's first member, as written
  EXPECT_EQ(result.rewards, (Rewards{0, 1, 1, 0, 1}));
}

TEST(MajorityVote, TieGoesToTheClassMetFirst) {
  auto result = vote(group_of({"2", "1", "1", "2"}));
  EXPECT_EQ(result.label, "2");
  EXPECT_EQ(result.rewards, (Rewards{1, 0, 0, 1}));
  result = vote(group_of({"1", "2", "2", "1"}));
  EXPECT_EQ(result.label, "1");
  EXPECT_EQ(result.rewards, (Rewards{1, 0, 0, 1}));
  result = vote(group_of({kNone, "5", "4", "4", "5"}));  // no-answer rollouts do not decide who came first
  EXPECT_EQ(result.label, "5");
  EXPECT_EQ(result.rewards, (Rewards{0, 1, 0, 0, 1}));
}

TEST(MajorityVote, AllDifferentRewardsTheFirstAnswer) {
  const auto result = vote(group_of({kNone, "7", "8", "9"}));
  EXPECT_EQ(result.label, "7");
  EXPECT_EQ(result.rewards, (Rewards{0, 1, 0, 0}));
}

TEST(MajorityVote, NoAnswersNoLabel) {
  const auto result = vote(group_of({kNone, kNone, kNone}));
  EXPECT_FALSE(result.label.has_value());
  EXPECT_EQ(result.rewards, (Rewards{0, 0, 0}));
  EXPECT_DOUBLE_EQ(result.metrics.at("answered_ratio"), 0.0);
}

TEST(MajorityVote, BlankAnswersNeverVote) {
  // TTRL's reference code lets the empty answer win; here blank answers are no answers.
  const auto result = vote(group_of({"", " ", "", "6"}));
  EXPECT_EQ(result.label, "6");
  EXPECT_EQ(result.rewards, (Rewards{0, 0, 0, 1}));
}

TEST(MajorityVote, NoAnswersOutnumberingAnAnswerStillLoseToIt) {
  const auto result = vote(group_of({kNone, kNone, kNone, "42"}));
  EXPECT_EQ(result.label, "42");
  EXPECT_EQ(result.rewards, (Rewards{0, 0, 0, 1}));
}

TEST(MajorityVote, OneRollout) {
  auto result = vote(group_of({"12"}));
  EXPECT_EQ(result.label, "12");
  EXPECT_EQ(result.rewards, (Rewards{1}));
  result = vote(group_of({kNone}));
  EXPECT_FALSE(result.label.has_value());
  EXPECT_EQ(result.rewards, (Rewards{0}));
}

TEST(MajorityVote, EmptyGroup) {
  const auto result = vote(group_of({}));
  EXPECT_TRUE(result.rewards.empty());
  EXPECT_FALSE(result.label.has_value());
}

TEST(MajorityVote, ChoiceLetters) {
  const auto result = vote(group_of({"B", "A", "B", "C"}, {}, ttrl::answer::Task::kChoice));
  EXPECT_EQ(result.label, "B");
  EXPECT_EQ(result.rewards, (Rewards{1, 0, 1, 0}));
}

TEST(MajorityClass, EarliestOfTheLargest) {
  ttrl::answer::Clustering clustering;
  EXPECT_EQ(majority_class(clustering), -1);
  clustering.members = {{0, 5}, {1, 2, 3}, {4, 6, 7}};
  EXPECT_EQ(majority_class(clustering), 1);
}
