#include <gtest/gtest.h>

#include <cmath>

#include "ttrl/core/error.hpp"
#include "ttrl/train/advantages.hpp"
#include "ttrl/train/losses.hpp"
#include "ttrl/train/lr_schedule.hpp"

namespace {
using namespace ttrl::train;

TEST(Advantages, GroupNormalisedWithUnbiasedStd) {
  // rewards (1, 0, 0, 1): mean 0.5, unbiased std sqrt(1/3).
  auto a = grpo_advantages(torch::tensor({1.f, 0.f, 0.f, 1.f}), {true, 0.0});
  const float expected = 0.5f / std::sqrt(1.0f / 3.0f);
  EXPECT_NEAR(a[0].item<float>(), expected, 1e-6);
  EXPECT_NEAR(a[1].item<float>(), -expected, 1e-6);
  auto centred = grpo_advantages(torch::tensor({1.f, 0.f, 0.f, 0.f}), {false, 1e-6});
  EXPECT_NEAR(centred[0].item<float>(), 0.75f, 1e-6);
  EXPECT_NEAR(centred[3].item<float>(), -0.25f, 1e-6);
}

TEST(Advantages, UniformRewardsAndSingletonsGiveZero) {
  EXPECT_TRUE(torch::equal(grpo_advantages(torch::ones({8})), torch::zeros({8})));
  EXPECT_TRUE(torch::equal(grpo_advantages(torch::tensor({0.7f})), torch::zeros({1})));
  EXPECT_THROW(grpo_advantages(torch::ones({2, 2})), ttrl::Error);
}

TEST(Advantages, RlooSubtractsTheMeanOfTheSiblings) {
  // (1, 0, 0, 1): rollout 0's siblings average 1/3, so A_0 = 1 - 1/3 = 2/3; rollout 1's average 2/3: A_1 = -2/3.
  const auto a = rloo_advantages({1, 0, 0, 1});
  ASSERT_EQ(a.size(), 4u);
  EXPECT_NEAR(a[0], 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(a[1], -2.0 / 3.0, 1e-12);
  EXPECT_NEAR(a[3], 2.0 / 3.0, 1e-12);
  EXPECT_EQ(rloo_advantages({0.4}), std::vector<double>{0.0});  // no sibling, no baseline
  EXPECT_EQ(rloo_advantages({0.5, 0.5, 0.5}), std::vector<double>(3, 0.0));
}

TEST(Advantages, ReinforceSubtractsTheMeanOfTheWholeStep) {
  // Groups (1, 0) and (1, 1): batch mean 0.75; the second group keeps a positive advantage, unlike in GRPO.
  const auto a = reinforce_advantages({{{1, 0}, {1, 1}}, {{5, 5}, {5, 5}}});
  EXPECT_EQ(a, (std::vector<std::vector<double>>{{0.25, -0.75}, {0.25, 0.25}}));
}

TEST(Advantages, ReinforcePlusPlusBaselineWhitensOverTokens) {
  // Group-centred: (0.5, -0.5) and (0, 0). Token weights 2, 2, 1, 3 (T = 8): mu = 0,
  // var = (2 * 0.25 + 2 * 0.25) / 8 * 8 / 7 = 1/7, so A = x * sqrt(7) (verl's masked_whiten, unbiased).
  const auto a = reinforce_pp_baseline_advantages({{{1, 0}, {1, 1}}, {{2, 2}, {1, 3}}});
  const double s7 = std::sqrt(7.0) / std::sqrt(1.0 + 7e-8);
  EXPECT_NEAR(a[0][0], 0.5 * s7, 1e-12);
  EXPECT_NEAR(a[0][1], -0.5 * s7, 1e-12);
  EXPECT_NEAR(a[1][0], 0.0, 1e-12);
  // Longer responses weigh more in the mean: (1, 0) with lengths 3 and 1 gives mu = (3 * 0.5 - 0.5) / 4 = 0.25.
  const auto b = reinforce_pp_baseline_advantages({{{1, 0}}, {{3, 1}}});
  const double var = (3 * 0.25 * 0.25 + 1 * 0.75 * 0.75) / 4 * 4 / 3;
  EXPECT_NEAR(b[0][0], 0.25 / std::sqrt(var + 1e-8), 1e-12);
  EXPECT_NEAR(b[0][1], -0.75 / std::sqrt(var + 1e-8), 1e-12);
  // An empty response has no token to carry an advantage.
  const auto c = reinforce_pp_baseline_advantages({{{1, 0, 1}}, {{2, 0, 2}}});
  EXPECT_EQ(c[0][1], 0.0);
}

TEST(Advantages, ReinforcePlusPlusByHand) {
  // Rewards 1 | 0 on 2 | 1 tokens, no KL: returns (1, 1 | 0); mu = 2/3, unbiased var = 1/3.
  const StepRewards step{{{1}, {0}}, {{2}, {1}}};
  const TokenAdvantages no_kl{{{0.f, 0.f}}, {{0.f}}};
  const TokenAdvantages a = reinforce_pp_advantages(step, no_kl, 0.1);
  const double s = 1.0 / std::sqrt(1.0 / 3.0 + 1e-8);
  EXPECT_NEAR(a[0][0][0], (1.0 / 3.0) * s, 1e-6);
  EXPECT_NEAR(a[0][0][1], (1.0 / 3.0) * s, 1e-6);
  EXPECT_NEAR(a[1][0][0], (-2.0 / 3.0) * s, 1e-6);
  // KL 1 on the first token only, kl_coef 0.5: r = (-0.5, 1), returns (0.5, 1 | 0).
  const TokenAdvantages kl{{{1.f, 0.f}}, {{0.f}}};
  const TokenAdvantages b = reinforce_pp_advantages(step, kl, 0.5);
  const double mu = 0.5, var = (0.0 + 0.25 + 0.25) / 2;
  EXPECT_NEAR(b[0][0][0], 0.0, 1e-6);
  EXPECT_NEAR(b[0][0][1], (1.0 - mu) / std::sqrt(var + 1e-8), 1e-6);
  EXPECT_NEAR(b[1][0][0], (0.0 - mu) / std::sqrt(var + 1e-8), 1e-6);
  // Fewer than two tokens: nothing to whiten. Mismatched layouts: errors.
  EXPECT_EQ(reinforce_pp_advantages({{{1}}, {{1}}}, {{{0.f}}}, 0.1)[0][0], std::vector<float>{0.f});
  EXPECT_THROW(reinforce_pp_advantages(step, {{{0.f}}, {{0.f}}}, 0.1), ttrl::Error);
  EXPECT_THROW(estimate_advantages(AdvantageEstimator::kReinforcePp, step), ttrl::Error);
}

TEST(Advantages, ReinforcePlusPlusMatchesVerlsTensorCode) {
  // verl compute_reinforce_plus_plus_outcome_advantage after apply_kl_penalty, written with tensors:
  // token rewards [B, T] with -beta * kl and the score at the last token, reversed cumulative returns reset by the
  // mask, masked_whiten over the batch.
  torch::manual_seed(3);
  const std::vector<int64_t> lengths{5, 1, 7, 3, 7, 2};
  const int64_t rows = 6, width = 7;
  const double beta = 0.05;
  auto mask = torch::zeros({rows, width}, torch::kFloat64);
  for (int64_t b = 0; b < rows; ++b) mask[b].narrow(0, 0, lengths[b]).fill_(1.0);
  const auto kl = torch::randn({rows, width}, torch::kFloat64).abs() * mask;
  const auto scores = torch::rand({rows}, torch::kFloat64);
  auto token_rewards = -beta * kl;
  for (int64_t b = 0; b < rows; ++b) token_rewards[b][lengths[b] - 1] += scores[b];
  auto returns = torch::zeros_like(token_rewards);
  auto running = torch::zeros({rows}, torch::kFloat64);
  for (int64_t t = width - 1; t >= 0; --t) {
    running = token_rewards.select(1, t) + running;
    returns.select(1, t).copy_(running);
    running = running * mask.select(1, t);
  }
  const auto n = mask.sum();
  const auto mean = (returns * mask).sum() / n;
  const auto var = ((returns - mean).pow(2) * mask).sum() / n * (n / (n - 1));
  const auto want = (returns - mean) * torch::rsqrt(var + 1e-8) * mask;

  // The same rollouts as two prompt groups of three.
  StepRewards step;
  TokenAdvantages token_kl(2);
  for (int64_t b = 0; b < rows; ++b) {
    if (b % 3 == 0) step.rewards.emplace_back(), step.lengths.emplace_back();
    step.rewards.back().push_back(scores[b].item<double>());
    step.lengths.back().push_back(lengths[b]);
    std::vector<float> values;
    for (int64_t t = 0; t < lengths[b]; ++t) values.push_back(static_cast<float>(kl[b][t].item<double>()));
    token_kl[b / 3].push_back(values);
  }
  const TokenAdvantages got = reinforce_pp_advantages(step, token_kl, beta);
  for (int64_t b = 0; b < rows; ++b)
    for (int64_t t = 0; t < lengths[b]; ++t)
      EXPECT_NEAR(got[b / 3][b % 3][t], want[b][t].item<double>(), 1e-5) << b << "," << t;
}

TEST(Advantages, EstimatorsByNameAndGrpoThroughTheStepInterface) {
  EXPECT_EQ(parse_advantage_estimator("rloo"), AdvantageEstimator::kRloo);
  EXPECT_EQ(parse_advantage_estimator("reinforce_pp_baseline"), AdvantageEstimator::kReinforcePpBaseline);
  EXPECT_EQ(parse_advantage_estimator("reinforce_pp"), AdvantageEstimator::kReinforcePp);
  EXPECT_THROW(parse_advantage_estimator("ppo"), ttrl::ConfigError);
  const StepRewards step{{{1, 0, 0, 1}, {0.3}}, {{4, 4, 4, 4}, {2}}};
  const auto a = estimate_advantages(AdvantageEstimator::kGrpo, step, {true, 0.0});
  const auto reference = grpo_advantages(torch::tensor({1.f, 0.f, 0.f, 1.f}), {true, 0.0});
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a[0][i], static_cast<double>(reference[i].item<float>()));  // bit-identical
  EXPECT_EQ(a[1], std::vector<double>{0.0});
  EXPECT_THROW(reinforce_advantages({{{1, 0}}, {{1}}}), ttrl::Error);  // lengths must match rewards
}

TEST(Losses, AggregationModesByHand) {
  // Two sequences: losses (1, 2, 3 | 4, 5, -) with the last token of the second masked out.
  auto loss = torch::tensor({1.f, 2.f, 3.f, 4.f, 5.f, 100.f}).reshape({2, 3});
  auto mask = torch::tensor({1.f, 1.f, 1.f, 1.f, 1.f, 0.f}).reshape({2, 3});
  EXPECT_NEAR(aggregate_loss(loss, mask, LossAggregation::kTokenMean).item<float>(), 15.f / 5, 1e-6);
  EXPECT_NEAR(aggregate_loss(loss, mask, LossAggregation::kSeqMeanTokenMean).item<float>(), (2.f + 4.5f) / 2, 1e-6);
  EXPECT_NEAR(aggregate_loss(loss, mask, LossAggregation::kSeqMeanTokenSumNorm).item<float>(), 15.f / (3 * 2), 1e-6);
  // Mini-batch scale: a micro-batch divides by the totals of the whole mini-batch.
  EXPECT_NEAR(aggregate_loss(loss, mask, LossAggregation::kTokenMean, {10, 4, 8}).item<float>(), 1.5f, 1e-6);
  EXPECT_NEAR(aggregate_loss(loss, mask, LossAggregation::kSeqMeanTokenSumNorm, {10, 4, 8}).item<float>(), 15.f / 32, 1e-6);
}

TEST(Losses, AccumulatedMicroBatchesEqualTheFullMiniBatch) {
  torch::manual_seed(0);
  auto loss = torch::rand({6, 5});
  auto mask = (torch::rand({6, 5}) > 0.3).to(torch::kFloat32);
  for (auto mode : {LossAggregation::kTokenMean, LossAggregation::kSeqMeanTokenMean, LossAggregation::kSeqMeanTokenSumNorm}) {
    const auto full = aggregate_loss(loss, mask, mode).item<double>();
    AggregationScale scale{mask.sum().item<double>(), 6, 5};
    const auto parts = aggregate_loss(loss.slice(0, 0, 2), mask.slice(0, 0, 2), mode, scale).item<double>() +
                       aggregate_loss(loss.slice(0, 2, 6), mask.slice(0, 2, 6), mode, scale).item<double>();
    EXPECT_NEAR(parts, full, 1e-6) << static_cast<int>(mode);
  }
}

TEST(Losses, PolicyLossClipsAsPpo) {
  // Token 1: A = +1, ratio e^0.5 = 1.6487 -> clipped at 1.2, loss -1.2.
  // Token 2: A = -1, ratio e^-0.5 = 0.6065 -> max(0.6065, 0.8) = 0.8.
  // Token 3: A = +1, ratio 1 -> -1.
  auto old_lp = torch::zeros({3, 1});
  auto lp = torch::tensor({0.5f, -0.5f, 0.f}).reshape({3, 1}).requires_grad_(true);
  auto adv = torch::tensor({1.f, -1.f, 1.f});
  auto mask = torch::ones({3, 1});
  PolicyLossOptions options;
  auto r = policy_loss(lp, old_lp, adv, mask, options);
  EXPECT_NEAR(r.loss.item<float>(), (-1.2f + 0.8f - 1.f) / 3, 1e-6);
  EXPECT_NEAR(r.clip_fraction, 2.0 / 3, 1e-9);
  EXPECT_NEAR(r.approx_kl, 0.0, 1e-7);
  r.loss.backward();
  // Clipped tokens pass no gradient; the unclipped one has d(-A e^d)/dd = -1 over 3 tokens.
  EXPECT_NEAR(lp.grad()[0][0].item<float>(), 0.f, 1e-7);
  EXPECT_NEAR(lp.grad()[1][0].item<float>(), 0.f, 1e-7);
  EXPECT_NEAR(lp.grad()[2][0].item<float>(), -1.f / 3, 1e-6);
}

TEST(Losses, ClipHigherAndDualClip) {
  auto old_lp = torch::zeros({2, 1});
  auto lp = torch::tensor({0.5f, 2.0f}).reshape({2, 1});
  auto mask = torch::ones({2, 1});
  PolicyLossOptions higher;
  higher.clip_high = 0.28;
  auto r = policy_loss(lp, old_lp, torch::tensor({1.f, 1.f}), mask, higher);
  EXPECT_NEAR(r.loss.item<float>(), -1.28f, 1e-6);
  // A = -1 and ratio e^2 = 7.389: PPO gives 7.389; dual clip bounds it by -A * c = 3.
  PolicyLossOptions dual;
  dual.dual_clip = true;
  dual.clip_c = 3.0;
  r = policy_loss(lp, old_lp, torch::tensor({-1.f, -1.f}), mask, dual);
  EXPECT_NEAR(r.loss.item<float>(), (std::exp(0.5f) + 3.f) / 2, 1e-5);
  EXPECT_NEAR(r.dual_clip_fraction, 0.5, 1e-9);
}

TEST(Losses, KlEstimators) {
  auto lp = torch::tensor({-1.0f, -2.0f});
  auto ref = torch::tensor({-1.5f, -1.0f});  // d = 0.5, -1
  auto k1 = kl_penalty(lp, ref, KlEstimator::kK1);
  auto k2 = kl_penalty(lp, ref, KlEstimator::kK2);
  auto k3 = kl_penalty(lp, ref, KlEstimator::kK3);
  EXPECT_NEAR(k1[1].item<float>(), -1.f, 1e-6);
  EXPECT_NEAR(k2[0].item<float>(), 0.125f, 1e-6);
  EXPECT_NEAR(k3[0].item<float>(), std::exp(-0.5f) + 0.5f - 1.f, 1e-6);
  EXPECT_NEAR(k3[1].item<float>(), std::exp(1.f) - 1.f - 1.f, 1e-6);
  EXPECT_GE(k3.min().item<float>(), 0.f);  // k3 is non-negative
  EXPECT_EQ(parse_kl_estimator("low_var_kl"), KlEstimator::kK3);
  EXPECT_THROW(parse_kl_estimator("k4"), ttrl::ConfigError);
  EXPECT_THROW(parse_loss_aggregation("sum"), ttrl::ConfigError);
}

TEST(LrSchedule, WarmupThenCosineToTheFloor) {
  LrScheduleOptions o{1.0, 100, 0.1, 0.1, "cosine"};
  EXPECT_EQ(warmup_steps(o), 10);
  EXPECT_DOUBLE_EQ(learning_rate(o, 0), 0.0);
  EXPECT_DOUBLE_EQ(learning_rate(o, 5), 0.5);
  EXPECT_DOUBLE_EQ(learning_rate(o, 10), 1.0);
  EXPECT_NEAR(learning_rate(o, 55), 0.1 + 0.9 * 0.5, 1e-12);  // half way through the decay
  EXPECT_NEAR(learning_rate(o, 100), 0.1, 1e-12);
  o.kind = "constant";
  EXPECT_DOUBLE_EQ(learning_rate(o, 70), 1.0);
}

}  // namespace
