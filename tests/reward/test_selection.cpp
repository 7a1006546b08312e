// select_for_training: which of the n_vote rollouts enter the update.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "ttrl/core/error.hpp"
#include "ttrl/reward/selection.hpp"

using namespace ttrl::reward;
using Indices = std::vector<int>;

namespace {

/// How many selected rollouts have reward `value`.
int count_with_reward(const std::vector<double>& rewards, const Indices& chosen, double value) {
  return static_cast<int>(std::count_if(chosen.begin(), chosen.end(), [&](int i) { return rewards[i] == value; }));
}

void expect_valid_subset(const Indices& chosen, size_t expected_size, size_t total) {
  EXPECT_EQ(chosen.size(), expected_size);
  EXPECT_TRUE(std::is_sorted(chosen.begin(), chosen.end()));
  EXPECT_EQ(std::set<int>(chosen.begin(), chosen.end()).size(), chosen.size());
  for (int i : chosen) EXPECT_TRUE(i >= 0 && static_cast<size_t>(i) < total);
}

}  // namespace

TEST(Selection, FirstKeepsTheReferenceOrder) {
  const std::vector<double> rewards = {0, 1, 0, 1, 1};
  EXPECT_EQ(select_for_training(rewards, 3, SelectionMode::kFirst, 7), (Indices{0, 1, 2}));
  EXPECT_EQ(select_for_training(rewards, 0, SelectionMode::kFirst, 7), Indices{});
}

TEST(Selection, AllWhenNTrainCoversTheGroup) {
  const std::vector<double> rewards = {0, 1, 0};
  for (auto mode : {SelectionMode::kFirst, SelectionMode::kRandom, SelectionMode::kStratified}) {
    EXPECT_EQ(select_for_training(rewards, 3, mode, 1), (Indices{0, 1, 2}));
    EXPECT_EQ(select_for_training(rewards, 10, mode, 1), (Indices{0, 1, 2}));
  }
}

TEST(Selection, NegativeNTrainIsAnError) {
  EXPECT_THROW(select_for_training({1, 0}, -1, SelectionMode::kFirst, 0), ttrl::ConfigError);
}

TEST(Selection, RandomIsASeededSubset) {
  std::vector<double> rewards(64, 0.0);
  const Indices a = select_for_training(rewards, 32, SelectionMode::kRandom, 42);
  expect_valid_subset(a, 32, 64);
  EXPECT_EQ(a, select_for_training(rewards, 32, SelectionMode::kRandom, 42));
  std::set<Indices> distinct;
  for (uint64_t seed = 0; seed < 10; ++seed) distinct.insert(select_for_training(rewards, 32, SelectionMode::kRandom, seed));
  EXPECT_GT(distinct.size(), 5u);
  Indices first(32);
  for (int i = 0; i < 32; ++i) first[i] = i;
  EXPECT_EQ(distinct.count(first), 0u);  // "random" is not "first"
}

TEST(Selection, RandomCoversEveryRollout) {
  // Over many seeds each of 8 rollouts is picked about half the time when choosing 4.
  const std::vector<double> rewards(8, 1.0);
  std::vector<int> picked(8, 0);
  for (uint64_t seed = 0; seed < 2000; ++seed)
    for (int i : select_for_training(rewards, 4, SelectionMode::kRandom, seed)) ++picked[i];
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(picked[i] / 2000.0, 0.5, 0.05) << "rollout " << i;
}

TEST(Selection, StratifiedKeepsTheRewardMix) {
  const std::vector<double> half = {1, 0, 1, 0, 1, 0, 1, 0};
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Indices chosen = select_for_training(half, 4, SelectionMode::kStratified, seed);
    expect_valid_subset(chosen, 4, 8);
    EXPECT_EQ(count_with_reward(half, chosen, 1), 2);
  }
  const std::vector<double> mostly_right = {1, 1, 0, 1, 1, 1, 0, 1};  // 6 of 8: quotas 3 and 1 of 4
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const Indices chosen = select_for_training(mostly_right, 4, SelectionMode::kStratified, seed);
    EXPECT_EQ(count_with_reward(mostly_right, chosen, 1), 3);
    EXPECT_EQ(count_with_reward(mostly_right, chosen, 0), 1);
  }
}

TEST(Selection, StratifiedRemainderTies) {
  // 3 of 6 over {1: 3 rollouts, 0: 3 rollouts}: 1.5 each; equal remainders and sizes: the stratum met first wins.
  const std::vector<double> even = {0, 1, 1, 0, 1, 0};
  const Indices chosen = select_for_training(even, 3, SelectionMode::kStratified, 3);
  EXPECT_EQ(count_with_reward(even, chosen, 0), 2);
  EXPECT_EQ(count_with_reward(even, chosen, 1), 1);
  // Continuous rewards: 3 of 6 over {0.7: 2, 0.2: 3, 0.0: 1} = 1, 1.5, 0.5: the larger stratum takes the extra seat.
  const std::vector<double> dare_like = {0.7, 0.0, 0.2, 0.7, 0.2, 0.2};
  const Indices picked = select_for_training(dare_like, 3, SelectionMode::kStratified, 3);
  EXPECT_EQ(count_with_reward(dare_like, picked, 0.7), 1);
  EXPECT_EQ(count_with_reward(dare_like, picked, 0.2), 2);
  EXPECT_EQ(count_with_reward(dare_like, picked, 0.0), 0);
}

TEST(Selection, ParseModes) {
  EXPECT_EQ(parse_selection_mode("first"), SelectionMode::kFirst);
  EXPECT_EQ(parse_selection_mode("random"), SelectionMode::kRandom);
  EXPECT_EQ(parse_selection_mode("stratified"), SelectionMode::kStratified);
  EXPECT_THROW(parse_selection_mode("best"), ttrl::ConfigError);
  EXPECT_EQ(to_string(SelectionMode::kStratified), "stratified");
}
