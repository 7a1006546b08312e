// Properties of every built-in reward over many random groups: finite rewards in range, no-answer rollouts at 0,
// and invariance to the order of the rollouts (up to majority_vote's documented tie rule).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

#include "reward/reward_test_util.hpp"
#include "ttrl/reward/dare.hpp"
#include "ttrl/reward/empo.hpp"
#include "ttrl/reward/entropy.hpp"
#include "ttrl/reward/ground_truth.hpp"
#include "ttrl/reward/majority_vote.hpp"
#include "ttrl/reward/self_certainty.hpp"
#include "ttrl/reward/soft_majority.hpp"

using namespace ttrl::reward;
using namespace ttrl::reward::testing;

namespace {

constexpr int kGroups = 300;

/// A group of 1..24 rollouts, answers from {"1".."4", none} (so classes are plain integers), random entropies.
Group random_group(std::mt19937& rng) {
  std::uniform_int_distribution<int> size(1, 24), pick(0, 4);
  std::uniform_real_distribution<double> uncertainty(0.0, 1.0);
  const int n = size(rng);
  std::vector<std::optional<std::string>> answers;
  std::vector<double> u;
  for (int i = 0; i < n; ++i) {
    const int a = pick(rng);
    answers.push_back(a == 0 ? kNone : std::optional<std::string>(std::to_string(a)));
    u.push_back(uncertainty(rng));
  }
  Group group = group_of(answers, u);
  group.gold = std::to_string(pick(rng) % 4 + 1);
  return group;
}

/// `group` with random per-token values (0..40 tokens per rollout): entropies and self-certainties in [0, ln V],
/// log-probs in [-ln V, 0], num_tokens set to match.
Group with_token_values(Group group, std::mt19937& rng) {
  std::uniform_int_distribution<int> length(0, 40);
  std::uniform_real_distribution<float> value(0.0f, static_cast<float>(std::log(static_cast<double>(kTestVocab))));
  for (auto& r : group.rollouts) {
    r.num_tokens = length(rng);
    r.token_entropies.clear();
    r.token_logprobs.clear();
    r.token_self_certainties.clear();
    for (int64_t t = 0; t < r.num_tokens; ++t) {
      r.token_entropies.push_back(value(rng));
      r.token_logprobs.push_back(-value(rng));
      r.token_self_certainties.push_back(value(rng));
    }
  }
  return group;
}

Group permuted(const Group& group, const std::vector<int>& order) {
  Group out = group;
  for (size_t i = 0; i < order.size(); ++i) out.rollouts[i] = group.rollouts[order[i]];
  return out;
}

std::vector<int> random_order(size_t n, std::mt19937& rng) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

void expect_finite_in_range(const RewardResult& result, const Group& group, double high) {
  ASSERT_EQ(result.rewards.size(), group.rollouts.size());
  for (size_t i = 0; i < result.rewards.size(); ++i) {
    EXPECT_TRUE(std::isfinite(result.rewards[i]));
    EXPECT_GE(result.rewards[i], 0.0);
    EXPECT_LE(result.rewards[i], high);
    if (!group.rollouts[i].answer) EXPECT_EQ(result.rewards[i], 0.0) << "no-answer rollout " << i << " rewarded";
  }
}

}  // namespace

TEST(RewardProperties, FiniteInRangeAndNoAnswerGetsZero) {
  std::mt19937 rng(1);
  const DareOptions options{0.5, 0.05, 0.01};
  for (int g = 0; g < kGroups; ++g) {
    const Group group = random_group(rng);
    expect_finite_in_range(MajorityVoteReward().score(group), group, 1.0);
    expect_finite_in_range(SoftMajorityReward().score(group), group, 1.0);
    expect_finite_in_range(GroundTruthReward().score(group), group, 1.0);
    expect_finite_in_range(DareReward(options).score(group), group, 1.0 + options.alpha);
    for (EmpoGate gate : {EmpoGate::kNone, EmpoGate::kEntropy, EmpoGate::kConfidence})
      expect_finite_in_range(EmpoReward(gate).score(group), group, 1.0);
  }
}

TEST(RewardProperties, TokenLevelRewardsAreFiniteInRangeAndOrderInvariant) {
  std::mt19937 rng(4);
  const double log_v = std::log(static_cast<double>(kTestVocab));
  for (int g = 0; g < kGroups; ++g) {
    const Group group = with_token_values(random_group(rng), rng);
    const std::vector<int> order = random_order(group.rollouts.size(), rng);
    const Group shuffled = permuted(group, order);
    struct Case { std::unique_ptr<RewardFn> fn; double low, high; };
    std::vector<Case> cases;
    cases.push_back({std::make_unique<SelfCertaintyReward>(), 0.0, log_v});
    cases.push_back({std::make_unique<EntropyReward>(), -log_v, 0.0});
    cases.push_back({std::make_unique<EntropyReward>(EntropyRewardOptions{true}), -log_v, 0.0});
    for (auto& c : cases) {
      const RewardResult result = score_group(*c.fn, group), result_shuffled = score_group(*c.fn, shuffled);
      for (size_t i = 0; i < order.size(); ++i) {
        EXPECT_TRUE(std::isfinite(result.rewards[i]));
        EXPECT_GE(result.rewards[i], c.low - 1e-6);
        EXPECT_LE(result.rewards[i], c.high + 1e-6);
        EXPECT_EQ(result_shuffled.rewards[i], result.rewards[order[i]]);
      }
    }
  }
}

TEST(RewardProperties, MajorityVoteRewardsExactlyTheLabelClass) {
  std::mt19937 rng(2);
  for (int g = 0; g < kGroups; ++g) {
    const Group group = random_group(rng);
    const RewardResult result = MajorityVoteReward().score(group);
    std::map<std::string, int> votes;
    for (const auto& r : group.rollouts) if (r.answer) ++votes[*r.answer];
    if (votes.empty()) {
      EXPECT_FALSE(result.label.has_value());
      continue;
    }
    ASSERT_TRUE(result.label.has_value());
    int most = 0;
    for (const auto& [answer, count] : votes) most = std::max(most, count);
    EXPECT_EQ(votes[*result.label], most);
    // Tie rule: the label's first rollout comes before the first rollout of every other largest class.
    auto first_of = [&](const std::string& answer) {
      for (size_t i = 0; i < group.rollouts.size(); ++i) if (group.rollouts[i].answer == answer) return i;
      return group.rollouts.size();
    };
    for (const auto& [answer, count] : votes)
      if (count == most && answer != *result.label) EXPECT_LT(first_of(*result.label), first_of(answer));
    for (size_t i = 0; i < group.rollouts.size(); ++i)
      EXPECT_EQ(result.rewards[i], group.rollouts[i].answer == result.label ? 1.0 : 0.0);
  }
}

TEST(RewardProperties, InvariantToRolloutOrder) {
  std::mt19937 rng(3);
  int majority_compared = 0;
  for (int g = 0; g < kGroups; ++g) {
    const Group group = random_group(rng);
    const std::vector<int> order = random_order(group.rollouts.size(), rng);
    const Group shuffled = permuted(group, order);

    const RewardResult dare = DareReward().score(group), dare_shuffled = DareReward().score(shuffled);
    const RewardResult truth = GroundTruthReward().score(group), truth_shuffled = GroundTruthReward().score(shuffled);
    const RewardResult vote = MajorityVoteReward().score(group), vote_shuffled = MajorityVoteReward().score(shuffled);
    const RewardResult soft = SoftMajorityReward().score(group), soft_shuffled = SoftMajorityReward().score(shuffled);
    const RewardResult empo = EmpoReward(EmpoGate::kEntropy).score(group),
                       empo_shuffled = EmpoReward(EmpoGate::kEntropy).score(shuffled);
    std::map<std::string, int> votes;
    int most = 0, largest_classes = 0;
    for (const auto& r : group.rollouts) if (r.answer) most = std::max(most, ++votes[*r.answer]);
    for (const auto& [answer, count] : votes) largest_classes += count == most;
    const bool unique_majority = largest_classes == 1;
    majority_compared += unique_majority;
    for (size_t i = 0; i < order.size(); ++i) {
      EXPECT_NEAR(dare_shuffled.rewards[i], dare.rewards[order[i]], 1e-12);
      EXPECT_EQ(truth_shuffled.rewards[i], truth.rewards[order[i]]);
      EXPECT_EQ(soft_shuffled.rewards[i], soft.rewards[order[i]]);  // no tie rule: always invariant
      EXPECT_EQ(empo_shuffled.rewards[i], empo.rewards[order[i]]);
      if (unique_majority) EXPECT_EQ(vote_shuffled.rewards[i], vote.rewards[order[i]]);
    }
    if (unique_majority) EXPECT_EQ(vote_shuffled.label, vote.label);
  }
  EXPECT_GT(majority_compared, kGroups / 3);  // the comparison above ran on many groups
}

TEST(RewardProperties, DareRanksLargerClassesHigherAtEqualEntropy) {
  // With one entropy for all rollouts and no pruning, r(y) = n(y)/A + alpha (1 - n(y)/M)(1 - u) with A <= M, which
  // grows with n(y) whenever alpha (1 - u) < 1: the bonus never overturns the vote among equally confident classes.
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> uncertainty(0.0, 1.0);
  for (int g = 0; g < kGroups; ++g) {
    Group group = random_group(rng);
    const double u = uncertainty(rng);
    for (auto& r : group.rollouts) r.mean_entropy = u * std::log(static_cast<double>(kTestVocab));
    const RewardResult result = DareReward({0.5, 0.0, 0.01}).score(group);
    std::map<std::string, int> votes;
    for (const auto& r : group.rollouts) if (r.answer) ++votes[*r.answer];
    for (size_t i = 0; i < group.rollouts.size(); ++i)
      for (size_t j = 0; j < group.rollouts.size(); ++j) {
        const auto &a = group.rollouts[i].answer, &b = group.rollouts[j].answer;
        if (a && b && votes[*a] > votes[*b]) EXPECT_GT(result.rewards[i], result.rewards[j]);
      }
  }
}
