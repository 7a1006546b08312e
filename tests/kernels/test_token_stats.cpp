#include <gtest/gtest.h>

#include <cmath>

#include "ttrl/kernels/token_stats.hpp"

namespace {
using ttrl::kernels::token_stats;

TEST(TokenStats, UniformDistributionHasEntropyLogV) {
  const int64_t vocab = 1000;
  auto logits = torch::zeros({3, vocab});
  auto stats = token_stats(logits, torch::tensor({0, 5, 999}, torch::kInt64));
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(stats.entropy[i].item<float>(), std::log(1000.0), 1e-5);
    EXPECT_NEAR(stats.logprob[i].item<float>(), -std::log(1000.0), 1e-5);
  }
}

TEST(TokenStats, MatchesHandComputedTwoTokenDistribution) {
  // logits (0, ln 3) at temperature 1: p = (1/4, 3/4); H = -(1/4 ln 1/4 + 3/4 ln 3/4).
  auto logits = torch::tensor({0.0f, std::log(3.0f)}).reshape({1, 2});
  auto stats = token_stats(logits, torch::tensor({1}, torch::kInt64));
  EXPECT_NEAR(stats.logprob[0].item<float>(), std::log(0.75), 1e-6);
  EXPECT_NEAR(stats.entropy[0].item<float>(), -(0.25 * std::log(0.25) + 0.75 * std::log(0.75)), 1e-6);
  // Temperature 2 halves the logits: p = (1, sqrt 3) / (1 + sqrt 3).
  stats = token_stats(logits, torch::tensor({0}, torch::kInt64), 2.0);
  EXPECT_NEAR(stats.logprob[0].item<float>(), -std::log(1.0 + std::sqrt(3.0)), 1e-6);
}

TEST(TokenStats, BFloat16LogitsAndLargeVocabularyAgreeWithFloat64) {
  torch::manual_seed(0);
  auto logits = torch::randn({5, 151936}) * 4;
  auto targets = torch::randint(0, 151936, {5}, torch::kInt64);
  auto stats = token_stats(logits.to(torch::kBFloat16), targets, 0.6);
  auto z = logits.to(torch::kBFloat16).to(torch::kFloat64) / 0.6;
  auto logp = torch::log_softmax(z, -1);
  auto want_lp = logp.gather(1, targets.unsqueeze(1)).squeeze(1);
  auto want_h = -(logp.exp() * logp).sum(-1);
  EXPECT_TRUE(torch::allclose(stats.logprob.to(torch::kFloat64), want_lp, 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(stats.entropy.to(torch::kFloat64), want_h, 1e-4, 1e-4));
}

TEST(TokenStats, SelfCertaintyIsKlFromUniformAgainstFloat64) {
  // KL(U || p) = sum_v (1/V) ln((1/V) / p_v), computed here in float64 from the same logits.
  torch::manual_seed(2);
  const int64_t vocab = 151936;
  auto logits = torch::randn({4, vocab}) * 3;
  auto targets = torch::randint(0, vocab, {4}, torch::kInt64);
  auto kl_from_uniform = [&](double temperature) {
    auto logp = torch::log_softmax(logits.to(torch::kFloat64) / temperature, -1);
    return (-std::log(static_cast<double>(vocab)) - logp).mean(-1);
  };
  ttrl::kernels::TokenStatsOptions options;
  options.temperature = 0.6;
  options.self_certainty = true;
  auto scaled = token_stats(logits, targets, options);
  EXPECT_TRUE(torch::allclose(scaled.self_certainty.to(torch::kFloat64), kl_from_uniform(0.6), 1e-5, 1e-5));
  options.certainty_temperature = 1.0;  // the raw logits
  auto raw = token_stats(logits, targets, options);
  EXPECT_TRUE(torch::allclose(raw.self_certainty.to(torch::kFloat64), kl_from_uniform(1.0), 1e-5, 1e-5));
  // The other statistics stay those of the sampling temperature.
  EXPECT_TRUE(torch::equal(raw.logprob, scaled.logprob));
  EXPECT_TRUE(torch::equal(raw.entropy, scaled.entropy));
  // A sharper distribution is more certain; nothing asked, nothing computed.
  EXPECT_TRUE((scaled.self_certainty > raw.self_certainty).all().item<bool>());
  EXPECT_FALSE(token_stats(logits, targets, 0.6).self_certainty.defined());
}

TEST(TokenStats, SelfCertaintyOfUniformIsZeroAndOfAPeakIsLargeButFinite) {
  ttrl::kernels::TokenStatsOptions options;
  options.self_certainty = true;
  auto uniform = token_stats(torch::zeros({1, 1000}), torch::tensor({3}, torch::kInt64), options);
  EXPECT_NEAR(uniform.self_certainty[0].item<float>(), 0.0f, 1e-6);
  // One logit 50 above the rest: p_peak ~ 1, KL(U || p) ~ 50 (1 - 1/V) - ln V + ln(1 + (V-1) e^-50) ... ~ 43.1.
  auto peak = torch::zeros({1, 1000});
  peak[0][7] = 50.0f;
  auto stats = token_stats(peak, torch::tensor({7}, torch::kInt64), options);
  const double want = 50.0 - 50.0 / 1000.0 - std::log(1000.0) + std::log1p(999.0 * std::exp(-50.0));
  EXPECT_NEAR(stats.self_certainty[0].item<float>(), want, 1e-4);
}

TEST(TokenStats, RejectsBadShapes) {
  EXPECT_THROW(token_stats(torch::zeros({4}), torch::zeros({4}, torch::kInt64)), std::exception);
  EXPECT_THROW(token_stats(torch::zeros({2, 4}), torch::zeros({3}, torch::kInt64)), std::exception);
  EXPECT_THROW(token_stats(torch::zeros({2, 4}), torch::zeros({2}, torch::kInt64), 0.0), std::exception);
  ttrl::kernels::TokenStatsOptions zero_certainty;
  zero_certainty.self_certainty = true;
  zero_certainty.certainty_temperature = 0.0;
  EXPECT_THROW(token_stats(torch::zeros({2, 4}), torch::zeros({2}, torch::kInt64), zero_certainty), std::exception);
}

TEST(TokenStats, CudaKernelMatchesReference) {
  if (!ttrl::kernels::built_with_cuda()) GTEST_SKIP() << "ttrl was built without its CUDA kernels";
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device visible";
  torch::manual_seed(1);
  for (auto dtype : {torch::kFloat32, torch::kBFloat16, torch::kFloat16}) {
    auto logits = (torch::randn({64, 32000}) * 3).to(dtype);
    auto targets = torch::randint(0, 32000, {64}, torch::kInt64);
    ttrl::kernels::TokenStatsOptions options;
    options.temperature = 0.7;
    options.self_certainty = true;
    for (std::optional<double> certainty_temperature : {std::optional<double>(), std::optional<double>(1.0)}) {
      options.certainty_temperature = certainty_temperature;
      auto want = ttrl::kernels::token_stats_reference(logits, targets, options);
      auto got = token_stats(logits.cuda(), targets.cuda(), options);
      EXPECT_TRUE(torch::allclose(got.logprob.cpu(), want.logprob, 1e-4, 1e-4)) << dtype;
      EXPECT_TRUE(torch::allclose(got.entropy.cpu(), want.entropy, 1e-4, 1e-4)) << dtype;
      EXPECT_TRUE(torch::allclose(got.self_certainty.cpu(), want.self_certainty, 1e-4, 1e-4)) << dtype;
    }
  }
}

}  // namespace
