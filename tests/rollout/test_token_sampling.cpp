#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "ttrl/core/error.hpp"
#include "ttrl/rollout/token_sampling.hpp"

namespace {
using namespace ttrl::rollout;

/// Draws `draws` tokens from one row of logits, each from its own stream, and counts them.
std::vector<int64_t> histogram(const torch::Tensor& row, const SamplingParams& params, int64_t draws) {
  const int64_t vocab = row.size(0);
  auto logits = row.unsqueeze(0).expand({draws, vocab}).contiguous();
  std::vector<uint64_t> keys;
  std::vector<int64_t> steps(static_cast<size_t>(draws), 0);
  for (int64_t i = 0; i < draws; ++i) keys.push_back(sequence_key(7, 0, i));
  auto tokens = sample_next_tokens(logits, params, keys, steps);
  std::vector<int64_t> counts(static_cast<size_t>(vocab), 0);
  for (int64_t i = 0; i < draws; ++i) ++counts[static_cast<size_t>(tokens[i].item<int64_t>())];
  return counts;
}

TEST(TokenSampling, FrequenciesMatchTheSoftmaxChiSquare) {
  const auto logits = torch::tensor({1.0f, 0.0f, -1.0f, 2.0f, 0.5f, -3.0f});
  SamplingParams params;
  params.temperature = 0.8;
  const int64_t draws = 40000;
  const auto counts = histogram(logits, params, draws);
  const auto p = torch::softmax(logits / 0.8, 0);
  double chi2 = 0;
  for (int64_t v = 0; v < 6; ++v) {
    const double expected = draws * p[v].item<double>();
    chi2 += (counts[v] - expected) * (counts[v] - expected) / expected;
  }
  EXPECT_LT(chi2, 20.52) << "chi-square with 5 degrees of freedom beyond the 0.1% critical value";
}

TEST(TokenSampling, TopKTopPAndMinPKeepOnlyTheirTokens) {
  const auto logits = torch::log(torch::tensor({0.05f, 0.4f, 0.3f, 0.2f, 0.05f}));
  SamplingParams top_k;
  top_k.top_k = 2;
  auto counts = histogram(logits, top_k, 4000);
  EXPECT_EQ(counts[0] + counts[3] + counts[4], 0);
  EXPECT_NEAR(counts[1] / 4000.0, 0.4 / 0.7, 0.03);
  SamplingParams top_p;
  top_p.top_p = 0.75;  // 0.4 + 0.3 = 0.7 < 0.75 so 0.2 is still needed: {1, 2, 3}
  counts = histogram(logits, top_p, 4000);
  EXPECT_EQ(counts[0] + counts[4], 0);
  EXPECT_GT(counts[3], 0);
  top_p.top_p = 0.7;  // mass before token 3 is 0.7, not < 0.7: {1, 2}
  counts = histogram(logits, top_p, 4000);
  EXPECT_EQ(counts[3], 0);
  SamplingParams min_p;
  min_p.min_p = 0.6;  // p >= 0.24: {1, 2}
  counts = histogram(logits, min_p, 4000);
  EXPECT_EQ(counts[0] + counts[3] + counts[4], 0);
  EXPECT_GT(counts[2], 0);
}

TEST(TokenSampling, GreedyTakesTheArgmax) {
  SamplingParams greedy;
  greedy.temperature = 0;
  auto tokens = sample_next_tokens(torch::tensor({{0.f, 3.f, 1.f}, {5.f, 3.f, 1.f}}), greedy, {1, 2}, {0, 0});
  EXPECT_EQ(tokens[0].item<int64_t>(), 1);
  EXPECT_EQ(tokens[1].item<int64_t>(), 0);
}

TEST(TokenSampling, StreamsDependOnKeyAndStepOnly) {
  const uint64_t a = sequence_key(1, 0, 0), b = sequence_key(1, 0, 1), c = sequence_key(1, 1, 0), d = sequence_key(2, 0, 0);
  EXPECT_EQ(std::set<uint64_t>({a, b, c, d}).size(), 4u);
  EXPECT_EQ(stream_uniform(a, 3), stream_uniform(a, 3));
  EXPECT_NE(stream_uniform(a, 3), stream_uniform(a, 4));
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double u = stream_uniform(a, i);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.01);
  // The same row gets the same token whether it is sampled alone or with others.
  SamplingParams params;
  auto logits = torch::randn({3, 50});
  auto together = sample_next_tokens(logits, params, {a, b, c}, {5, 6, 7});
  auto alone = sample_next_tokens(logits.narrow(0, 1, 1), params, {b}, {6});
  EXPECT_EQ(together[1].item<int64_t>(), alone[0].item<int64_t>());
}

TEST(TokenSampling, ValidateRejectsOutOfRangeParams) {
  SamplingParams p;
  p.top_p = 0;
  EXPECT_THROW(validate(p), ttrl::ConfigError);
  p = {};
  p.n = 0;
  EXPECT_THROW(validate(p), ttrl::ConfigError);
  p = {};
  p.temperature = -1;
  EXPECT_THROW(validate(p), ttrl::ConfigError);
  p = {};
  p.stop_strings = {""};
  EXPECT_THROW(validate(p), ttrl::ConfigError);
}

}  // namespace
