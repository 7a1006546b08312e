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

TEST(TokenStats, RejectsBadShapes) {
  EXPECT_THROW(token_stats(torch::zeros({4}), torch::zeros({4}, torch::kInt64)), std::exception);
  EXPECT_THROW(token_stats(torch::zeros({2, 4}), torch::zeros({3}, torch::kInt64)), std::exception);
  EXPECT_THROW(token_stats(torch::zeros({2, 4}), torch::zeros({2}, torch::kInt64), 0.0), std::exception);
}

TEST(TokenStats, CudaKernelMatchesReference) {
  if (!ttrl::kernels::built_with_cuda()) GTEST_SKIP() << "ttrl was built without its CUDA kernels";
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device visible";
  torch::manual_seed(1);
  for (auto dtype : {torch::kFloat32, torch::kBFloat16, torch::kFloat16}) {
    auto logits = (torch::randn({64, 32000}) * 3).to(dtype);
    auto targets = torch::randint(0, 32000, {64}, torch::kInt64);
    auto want = ttrl::kernels::token_stats_reference(logits, targets, 0.7);
    auto got = token_stats(logits.cuda(), targets.cuda(), 0.7);
    EXPECT_TRUE(torch::allclose(got.logprob.cpu(), want.logprob, 1e-4, 1e-4)) << dtype;
    EXPECT_TRUE(torch::allclose(got.entropy.cpu(), want.entropy, 1e-4, 1e-4)) << dtype;
  }
}

}  // namespace
