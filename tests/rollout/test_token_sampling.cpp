#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <utility>

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

/// The distribution the rules define, computed here in double on the host from the specification
/// (sampling_params.hpp), independently of the library: sort descending, top-k, top-p on the top-k mass, min-p.
std::vector<double> rule_distribution(const torch::Tensor& row, const SamplingParams& p) {
  const auto probs = torch::softmax(row.to(torch::kFloat64) / p.temperature, 0);
  const int64_t vocab = row.size(0);
  std::vector<std::pair<double, int64_t>> order;
  for (int64_t v = 0; v < vocab; ++v) order.emplace_back(probs[v].item<double>(), v);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const size_t k = p.top_k > 0 ? std::min<size_t>(static_cast<size_t>(p.top_k), order.size()) : order.size();
  double top_k_mass = 0;
  for (size_t i = 0; i < k; ++i) top_k_mass += order[i].first;
  std::vector<double> out(static_cast<size_t>(vocab), 0.0);
  double before = 0, kept = 0;
  for (size_t i = 0; i < k; ++i) {
    const double q = order[i].first;
    if (before / top_k_mass >= p.top_p) break;
    before += q;
    if (q < p.min_p * order[0].first) continue;
    out[static_cast<size_t>(order[i].second)] = q;
    kept += q;
  }
  for (double& q : out) q /= kept;
  return out;
}

/// Chi-square of observed counts against expected probabilities; tokens expected fewer than 5 times share a bin.
/// Tokens of probability 0 are left out and their draws counted apart (`excluded`): float32 rounding may move a
/// top-p boundary by one tail token.
struct ChiSquare {
  double statistic = 0;
  int df = 1;
  int64_t excluded = 0;
};
ChiSquare chi_square(const std::vector<int64_t>& counts, const std::vector<double>& p, int64_t draws) {
  ChiSquare out;
  double rare_expected = 0, rare_observed = 0;
  int bins = 0;
  for (size_t v = 0; v < p.size(); ++v) {
    if (p[v] == 0) {
      out.excluded += counts[v];
      continue;
    }
    const double expected = p[v] * static_cast<double>(draws);
    if (expected < 5) {
      rare_expected += expected;
      rare_observed += static_cast<double>(counts[v]);
      continue;
    }
    out.statistic += (counts[v] - expected) * (counts[v] - expected) / expected;
    ++bins;
  }
  if (rare_expected > 0) {
    out.statistic += (rare_observed - rare_expected) * (rare_observed - rare_expected) / rare_expected;
    ++bins;
  }
  out.df = std::max(1, bins - 1);
  return out;
}

/// The chi-square value a statistic with `df` degrees of freedom exceeds with probability 0.1% (Wilson-Hilferty).
double critical_value(int df) {
  const double d = static_cast<double>(df), z = 3.090;
  return d * std::pow(1 - 2 / (9 * d) + z * std::sqrt(2 / (9 * d)), 3);
}

TEST(TokenSampling, FrequenciesMatchEveryRulesDistributionOnAWideVocabulary) {
  // 3000 tokens: a few likely ones and a long tail of distinct values (no ties: the order of equal tokens is not
  // specified) holding about a quarter of the mass, wider than one inverse-CDF block and than the candidate set.
  auto logits = -4.0f - torch::arange(3000, torch::kFloat32) * 0.001f;
  const std::vector<float> head{3.0f, 2.5f, 2.2f, 2.0f, 1.5f, 1.0f, 0.5f, 0.2f};
  for (size_t i = 0; i < head.size(); ++i) logits[static_cast<int64_t>(i) * 377] = head[i];
  std::vector<std::pair<std::string, SamplingParams>> rules(6);
  rules[0].first = "temperature 0.8";
  rules[0].second.temperature = 0.8;
  rules[1].first = "top_k 3";
  rules[1].second.top_k = 3;
  rules[2].first = "top_p 0.6";
  rules[2].second.top_p = 0.6;
  rules[3].first = "min_p 0.2";
  rules[3].second.min_p = 0.2;
  rules[4].first = "top_k 6 + top_p 0.8 + min_p 0.1";
  rules[4].second.top_k = 6;
  rules[4].second.top_p = 0.8;
  rules[4].second.min_p = 0.1;
  rules[5].first = "top_p 0.95 (beyond the candidates: exact fallback)";
  rules[5].second.top_p = 0.95;
  const int64_t draws = 20000;
  for (const auto& [name, params] : rules) {
    const auto counts = histogram(logits, params, draws);
    const ChiSquare test = chi_square(counts, rule_distribution(logits, params), draws);
    EXPECT_LT(test.statistic, critical_value(test.df)) << name << ": chi-square with " << test.df << " degrees of freedom";
    EXPECT_LE(test.excluded, draws / 1000) << name << ": draws of tokens the rule excludes";
  }
}

TEST(TokenSampling, DeviceUniformsEqualTheHostStreamBitForBit) {
  std::vector<int64_t> keys, steps;
  for (int64_t i = 0; i < 2000; ++i) {
    keys.push_back(static_cast<int64_t>(sequence_key(static_cast<uint64_t>(i * 7919), i % 13, i)));  // high bits set too
    steps.push_back(i % 3 == 0 ? i : (int64_t{1} << 40) + i);
  }
  const auto u = stream_uniforms(torch::tensor(keys, torch::kInt64), torch::tensor(steps, torch::kInt64));
  ASSERT_EQ(u.scalar_type(), torch::kFloat64);
  for (int64_t i = 0; i < 2000; ++i)
    ASSERT_EQ(u[i].item<double>(), stream_uniform(static_cast<uint64_t>(keys[static_cast<size_t>(i)]), steps[static_cast<size_t>(i)])) << i;
}

TEST(TokenSampling, TheCandidatePathDrawsWhatTheFullSortDraws) {
  torch::manual_seed(5);
  const int64_t rows = 64, vocab = 5000;
  const auto peaked = torch::randn({rows, vocab}) * 4;  // nucleus well inside 1024 candidates
  const auto flat = torch::randn({rows, vocab}) * 0.1;  // nucleus far beyond them
  const auto uniforms = torch::rand({rows}, torch::kFloat64);
  std::vector<SamplingParams> cases(5);
  cases[0].top_p = 0.9;
  cases[1].min_p = 0.05;
  cases[2].top_k = 50;
  cases[2].top_p = 0.8;
  cases[3].temperature = 0.6;
  cases[3].top_p = 0.95;
  cases[4].top_p = 0.9;
  cases[4].min_p = 0.01;
  for (size_t c = 0; c < cases.size(); ++c)
    for (const auto* logits : {&peaked, &flat}) {
      const auto exact = draw_tokens_exact(*logits, cases[c], uniforms);
      const TokenDraw draw = draw_tokens(*logits, cases[c], uniforms);
      const auto checked = draw_tokens_checked(*logits, cases[c], uniforms);
      EXPECT_TRUE(torch::equal(checked, exact)) << "case " << c;
      if (draw.exact.defined()) {  // rows flagged exact already agree before the fallback
        const auto sure = draw.exact;
        EXPECT_TRUE(torch::equal(draw.tokens.masked_select(sure), exact.masked_select(sure))) << "case " << c;
        if (logits == &flat) EXPECT_FALSE(sure.any().item<bool>()) << "case " << c << ": flat rows need the fallback";
        if (logits == &peaked) EXPECT_TRUE(sure.all().item<bool>()) << "case " << c;
      }
    }
}

TEST(TokenSampling, TwoLevelInverseCdfDrawsWhatAFloat64CumsumOverTheVocabularyDraws) {
  torch::manual_seed(6);
  const int64_t rows = 256, vocab = 70001;  // not a multiple of the block: the last block is padded
  const auto logits = torch::randn({rows, vocab}) * 3;
  const auto uniforms = torch::rand({rows}, torch::kFloat64);
  SamplingParams params;
  const auto tokens = draw_tokens(logits, params, uniforms).tokens;
  const auto cdf = torch::softmax(logits, -1).to(torch::kFloat64).cumsum(-1);
  const auto target = uniforms.unsqueeze(1) * cdf.narrow(1, vocab - 1, 1);
  const auto expected = torch::searchsorted(cdf, target, false, true).clamp_max(vocab - 1).squeeze(1);
  EXPECT_TRUE(torch::equal(tokens, expected));
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
