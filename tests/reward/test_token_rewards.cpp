// self_certainty (INTUITOR) and entropy (RENT, EM-RL): per-rollout means of per-token values, worked by hand.
#include <gtest/gtest.h>

#include "ttrl/core/error.hpp"
#include "ttrl/reward/entropy.hpp"
#include "ttrl/reward/reward_fn.hpp"
#include "ttrl/reward/self_certainty.hpp"

using namespace ttrl::reward;

namespace {

Rollout rollout_with(const std::vector<float>& certainties, const std::vector<float>& entropies,
                     const std::vector<float>& logprobs, std::optional<std::string> answer = "1") {
  Rollout r;
  r.text = "text";
  r.answer = std::move(answer);
  r.num_tokens = static_cast<int64_t>(std::max({certainties.size(), entropies.size(), logprobs.size()}));
  r.token_self_certainties = certainties;
  r.token_entropies = entropies;
  r.token_logprobs = logprobs;
  return r;
}

Group group_of_rollouts(std::vector<Rollout> rollouts) {
  Group g;
  g.vocab_size = 1000;
  g.rollouts = std::move(rollouts);
  return g;
}

std::string error_of(RewardFn& fn, const Group& group) {
  try {
    fn.score(group);
  } catch (const ttrl::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(SelfCertainty, RewardIsTheMeanPerTokenSelfCertainty) {
  const Group g = group_of_rollouts({rollout_with({1.0f, 2.0f, 6.0f}, {}, {}),
                                     rollout_with({0.5f}, {}, {}, std::nullopt),  // no answer: same formula
                                     rollout_with({}, {}, {})});                  // no tokens: 0
  SelfCertaintyReward reward;
  const RewardResult r = score_group(reward, g);
  ASSERT_EQ(r.rewards.size(), 3u);
  EXPECT_DOUBLE_EQ(r.rewards[0], 3.0);
  EXPECT_DOUBLE_EQ(r.rewards[1], 0.5);
  EXPECT_DOUBLE_EQ(r.rewards[2], 0.0);
  EXPECT_FALSE(r.label.has_value());
  EXPECT_DOUBLE_EQ(r.metrics.at("self_certainty_mean"), 3.5 / 3.0);
}

TEST(SelfCertainty, MissingOrShortPerTokenValuesAreErrorsNamingTheRollout) {
  SelfCertaintyReward reward;
  Rollout no_values = rollout_with({}, {}, {});
  no_values.num_tokens = 4;
  const std::string missing = error_of(reward, group_of_rollouts({rollout_with({1.0f}, {}, {}), no_values}));
  EXPECT_NE(missing.find("self_certainty: rollout 1 has 4 tokens but no per-token self_certainties"), std::string::npos)
      << missing;
  Rollout short_values = rollout_with({1.0f, 2.0f}, {}, {});
  short_values.num_tokens = 3;
  const std::string mismatch = error_of(reward, group_of_rollouts({short_values}));
  EXPECT_NE(mismatch.find("rollout 0 has 3 tokens but 2 self_certainties"), std::string::npos) << mismatch;
}

TEST(Entropy, RewardIsMinusTheMeanTokenEntropy) {
  const Group g = group_of_rollouts({rollout_with({}, {0.5f, 1.5f}, {-1.0f, -3.0f}),
                                     rollout_with({}, {4.0f}, {-0.25f}, std::nullopt),
                                     rollout_with({}, {}, {})});
  EntropyReward reward;
  const RewardResult r = score_group(reward, g);
  EXPECT_DOUBLE_EQ(r.rewards[0], -1.0);
  EXPECT_DOUBLE_EQ(r.rewards[1], -4.0);  // without an answer: the same formula
  EXPECT_DOUBLE_EQ(r.rewards[2], 0.0);   // without tokens: 0
  EXPECT_DOUBLE_EQ(r.metrics.at("mean_token_entropy"), 5.0 / 3.0);
  EXPECT_FALSE(r.label.has_value());
}

TEST(Entropy, TrajectoryRewardsTheMeanTokenLogprob) {
  const Group g = group_of_rollouts({rollout_with({}, {0.5f, 1.5f}, {-1.0f, -3.0f}),
                                     rollout_with({}, {4.0f}, {-0.25f})});
  EntropyReward reward(EntropyRewardOptions{/*trajectory=*/true});
  const RewardResult r = score_group(reward, g);
  EXPECT_DOUBLE_EQ(r.rewards[0], -2.0);
  EXPECT_DOUBLE_EQ(r.rewards[1], -0.25);
  EXPECT_DOUBLE_EQ(r.metrics.at("mean_token_logprob"), -1.125);
}

TEST(Entropy, EachVariantNeedsItsOwnPerTokenValues) {
  Rollout only_entropies = rollout_with({}, {1.0f, 2.0f}, {});
  EXPECT_NO_THROW(EntropyReward().score(group_of_rollouts({only_entropies})));
  EntropyReward trajectory(EntropyRewardOptions{true});
  const std::string message = error_of(trajectory, group_of_rollouts({only_entropies}));
  EXPECT_NE(message.find("entropy: rollout 0 has 2 tokens but no per-token logprobs"), std::string::npos) << message;
}

TEST(Entropy, MoreCertainRolloutsGetMoreReward) {
  // The ordering the reward exists for: lower entropy, higher reward; higher log-prob, higher trajectory reward.
  const Group g = group_of_rollouts({rollout_with({}, {2.0f}, {-2.0f}), rollout_with({}, {0.1f}, {-0.1f})});
  EXPECT_LT(EntropyReward().score(g).rewards[0], EntropyReward().score(g).rewards[1]);
  EntropyReward trajectory(EntropyRewardOptions{true});
  EXPECT_LT(trajectory.score(g).rewards[0], trajectory.score(g).rewards[1]);
}
