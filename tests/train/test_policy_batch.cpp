// Training sequences as padded tensors (make_batch) and the per-token log-probs/entropies of their completions
// (response_stats), the latter checked against full-vocabulary logits of each sequence run on its own, in float64.
#include <gtest/gtest.h>

#include <cmath>

#include "model/model_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/train/policy_batch.hpp"

namespace ttrl::train {
namespace {

/// Three sequences whose prompt and completion lengths all differ: the longest input comes from C
/// (5 + 1 - 1 = 5 tokens), the longest completion from B (4 tokens).
std::vector<TrainSequence> ragged_sequences() {
  return {{{1, 2, 3}, {4, 5}, {-0.5f, -1.5f}, 1.25},
          {{6}, {7, 8, 9, 10}, {-0.1f, -0.2f, -0.3f, -0.4f}, -0.75},
          {{11, 12, 13, 14, 15}, {16}, {-2.0f}, 0.0}};
}

std::vector<const TrainSequence*> pointers(const std::vector<TrainSequence>& sequences) {
  std::vector<const TrainSequence*> out;
  for (const auto& s : sequences) out.push_back(&s);
  return out;
}

std::vector<int64_t> row_of(const torch::Tensor& t, int64_t row) {
  const auto r = t[row].to(torch::kInt64).contiguous();
  return {r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel()};
}

std::vector<float> float_row_of(const torch::Tensor& t, int64_t row) {
  const auto r = t[row].to(torch::kFloat32).contiguous();
  return {r.data_ptr<float>(), r.data_ptr<float>() + r.numel()};
}

TEST(PolicyBatch, MakeBatchPadsOnTheRight) {
  const auto sequences = ragged_sequences();
  const auto batch = make_batch(pointers(sequences), torch::kCPU);

  // Inputs: prompt, then every completion token but the last; L = max(prompt + completion) - 1 = 5.
  ASSERT_EQ(batch.input_ids.sizes(), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(batch.input_ids.scalar_type(), torch::kInt64);
  EXPECT_EQ(row_of(batch.input_ids, 0), (std::vector<int64_t>{1, 2, 3, 4, 0}));
  EXPECT_EQ(row_of(batch.input_ids, 1), (std::vector<int64_t>{6, 7, 8, 9, 0}));
  EXPECT_EQ(row_of(batch.input_ids, 2), (std::vector<int64_t>{11, 12, 13, 14, 15}));

  // Response tensors: completion token t of row b at column t, R = longest completion = 4.
  ASSERT_EQ(batch.targets.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(batch.targets.scalar_type(), torch::kInt64);
  EXPECT_EQ(row_of(batch.targets, 0), (std::vector<int64_t>{4, 5, 0, 0}));
  EXPECT_EQ(row_of(batch.targets, 1), (std::vector<int64_t>{7, 8, 9, 10}));
  EXPECT_EQ(row_of(batch.targets, 2), (std::vector<int64_t>{16, 0, 0, 0}));

  ASSERT_EQ(batch.mask.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(batch.mask.scalar_type(), torch::kFloat32);
  EXPECT_EQ(float_row_of(batch.mask, 0), (std::vector<float>{1, 1, 0, 0}));
  EXPECT_EQ(float_row_of(batch.mask, 1), (std::vector<float>{1, 1, 1, 1}));
  EXPECT_EQ(float_row_of(batch.mask, 2), (std::vector<float>{1, 0, 0, 0}));

  ASSERT_EQ(batch.old_logprobs.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(batch.old_logprobs.scalar_type(), torch::kFloat32);
  EXPECT_EQ(float_row_of(batch.old_logprobs, 0), (std::vector<float>{-0.5f, -1.5f, 0, 0}));
  EXPECT_EQ(float_row_of(batch.old_logprobs, 1), (std::vector<float>{-0.1f, -0.2f, -0.3f, -0.4f}));
  EXPECT_EQ(float_row_of(batch.old_logprobs, 2), (std::vector<float>{-2.0f, 0, 0, 0}));

  ASSERT_EQ(batch.advantages.sizes(), (std::vector<int64_t>{3}));
  EXPECT_EQ(batch.advantages.scalar_type(), torch::kFloat32);
  EXPECT_EQ(float_row_of(batch.advantages.unsqueeze(1), 0)[0], 1.25f);
  EXPECT_EQ(float_row_of(batch.advantages.unsqueeze(1), 1)[0], -0.75f);
  EXPECT_EQ(float_row_of(batch.advantages.unsqueeze(1), 2)[0], 0.0f);

  EXPECT_EQ(batch.prompt_lengths, (std::vector<int64_t>{3, 1, 5}));
  EXPECT_EQ(batch.response_lengths, (std::vector<int64_t>{2, 4, 1}));
  EXPECT_EQ(batch.tokens(), 7);
}

TEST(PolicyBatch, PerTokenAdvantagesMakeABatchOfTokenAdvantages) {
  auto sequences = ragged_sequences();
  sequences[1].token_advantages = {0.5f, -0.5f, 1.0f, 2.0f};
  const auto batch = make_batch(pointers(sequences), torch::kCPU);
  ASSERT_EQ(batch.advantages.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(float_row_of(batch.advantages, 0), (std::vector<float>{1.25f, 1.25f, 0, 0}));  // scalar on its tokens
  EXPECT_EQ(float_row_of(batch.advantages, 1), (std::vector<float>{0.5f, -0.5f, 1.0f, 2.0f}));
  EXPECT_EQ(float_row_of(batch.advantages, 2), (std::vector<float>{0, 0, 0, 0}));
  sequences[1].token_advantages.pop_back();
  EXPECT_THROW(make_batch(pointers(sequences), torch::kCPU), Error);
}

TEST(PolicyBatch, MakeBatchOfOneSequenceHasNoPadding) {
  const TrainSequence s{{3, 1}, {4, 1, 5}, {-1.0f, -2.0f, -3.0f}, 0.5};
  const auto batch = make_batch({&s}, torch::kCPU);
  EXPECT_EQ(row_of(batch.input_ids, 0), (std::vector<int64_t>{3, 1, 4, 1}));
  EXPECT_EQ(row_of(batch.targets, 0), (std::vector<int64_t>{4, 1, 5}));
  EXPECT_EQ(batch.mask.sum().item<double>(), 3.0);
  EXPECT_EQ(batch.tokens(), 3);

  // A one-token prompt with a one-token completion: a single input token.
  const TrainSequence shortest{{7}, {8}, {-0.25f}, 0};
  const auto tiny = make_batch({&shortest}, torch::kCPU);
  EXPECT_EQ(tiny.input_ids.sizes(), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(tiny.targets.sizes(), (std::vector<int64_t>{1, 1}));
}

TEST(PolicyBatch, MakeBatchRejectsMalformedSequences) {
  EXPECT_THROW(make_batch({}, torch::kCPU), Error);
  const TrainSequence no_prompt{{}, {1}, {-1.0f}, 0};
  EXPECT_THROW(make_batch({&no_prompt}, torch::kCPU), Error);
  const TrainSequence no_completion{{1}, {}, {}, 0};
  EXPECT_THROW(make_batch({&no_completion}, torch::kCPU), Error);
  const TrainSequence missing_logprob{{1}, {2, 3}, {-1.0f}, 0};
  EXPECT_THROW(make_batch({&missing_logprob}, torch::kCPU), Error);
}

/// log softmax(logits / T) at each completion token and the entropy -sum p log p of that distribution, from the
/// full logits of the sequence alone (no padding), in float64.
struct Reference {
  std::vector<double> logprobs, entropies;
};
Reference reference_stats(model::TransformerImpl& model, const TrainSequence& s, double temperature) {
  torch::NoGradGuard no_grad;
  std::vector<int64_t> ids = s.prompt_ids;
  ids.insert(ids.end(), s.completion_ids.begin(), s.completion_ids.end());
  const auto logits = model.logits(torch::tensor(ids, torch::kInt64).unsqueeze(0)).squeeze(0).to(torch::kFloat64);
  const auto logp = torch::log_softmax(logits / temperature, -1);  // [T, vocab]
  Reference out;
  for (size_t t = 0; t < s.completion_ids.size(); ++t) {
    const auto position = static_cast<int64_t>(s.prompt_ids.size() + t - 1);  // the token before completion token t
    const auto row = logp[position];
    out.logprobs.push_back(row[s.completion_ids[t]].item<double>());
    out.entropies.push_back(-(row.exp() * row).sum().item<double>());
  }
  return out;
}

class ResponseStatsTest : public ::testing::TestWithParam<double> {};

TEST_P(ResponseStatsTest, MatchFullLogitsOfEachSequenceAlone) {
  const double temperature = GetParam();
  auto model = model::random_init(model::test_util::tiny_config(), /*seed=*/11);
  const auto sequences = ragged_sequences();
  const auto batch = make_batch(pointers(sequences), torch::kCPU);
  const auto stats = response_stats(*model, batch, temperature);
  ASSERT_EQ(stats.logprobs.sizes(), batch.mask.sizes());
  ASSERT_EQ(stats.entropies.sizes(), batch.mask.sizes());
  EXPECT_EQ(stats.logprobs.scalar_type(), torch::kFloat32);
  EXPECT_EQ(stats.entropies.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(stats.logprobs.requires_grad());  // the policy loss differentiates through it

  const auto logprobs = stats.logprobs.detach().to(torch::kFloat64);
  const auto entropies = stats.entropies.detach().to(torch::kFloat64);
  const double max_entropy = std::log(static_cast<double>(model->config().vocab_size));
  for (size_t b = 0; b < sequences.size(); ++b) {
    const auto expected = reference_stats(*model, sequences[b], temperature);
    const auto row = static_cast<int64_t>(b);
    for (int64_t t = 0; t < batch.mask.size(1); ++t) {
      if (t < static_cast<int64_t>(expected.logprobs.size())) {
        EXPECT_NEAR(logprobs[row][t].item<double>(), expected.logprobs[t], 1e-5) << "row " << b << " token " << t;
        EXPECT_NEAR(entropies[row][t].item<double>(), expected.entropies[t], 1e-5) << "row " << b << " token " << t;
        EXPECT_LT(logprobs[row][t].item<double>(), 0.0);
        EXPECT_GT(entropies[row][t].item<double>(), 0.0);
        EXPECT_LE(entropies[row][t].item<double>(), max_entropy + 1e-5);
      } else {  // padding
        EXPECT_EQ(logprobs[row][t].item<double>(), 0.0) << "row " << b << " token " << t;
        EXPECT_EQ(entropies[row][t].item<double>(), 0.0) << "row " << b << " token " << t;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Temperatures, ResponseStatsTest, ::testing::Values(1.0, 0.6, 1.7));

TEST(PolicyBatch, TemperatureScalesTheLogits) {
  auto model = model::random_init(model::test_util::tiny_config(), /*seed=*/11);
  // Sharpen the distributions so that the temperature makes a visible difference.
  {
    torch::NoGradGuard no_grad;
    model->lm_head_weight().mul_(20.0);
  }
  const auto sequences = ragged_sequences();
  const auto batch = make_batch(pointers(sequences), torch::kCPU);
  torch::NoGradGuard no_grad;
  const auto plain = response_stats(*model, batch, 1.0);
  const auto cold = response_stats(*model, batch, 0.5);
  const auto hot = response_stats(*model, batch, 2.0);
  // A lower temperature sharpens each distribution (lower entropy), a higher one flattens it.
  const auto m = batch.mask;
  const double h_plain = (plain.entropies * m).sum().item<double>();
  EXPECT_LT((cold.entropies * m).sum().item<double>(), h_plain - 1e-3);
  EXPECT_GT((hot.entropies * m).sum().item<double>(), h_plain + 1e-3);
  // At T = 0.5 the logits are doubled: log p_0.5(x) = 2 z_x - log sum exp(2 z), the same as the reference.
  const auto expected = reference_stats(*model, sequences[1], 0.5);
  for (int64_t t = 0; t < 4; ++t) EXPECT_NEAR(cold.logprobs[1][t].item<double>(), expected.logprobs[t], 1e-4);
  EXPECT_GT((cold.logprobs - plain.logprobs).abs().max().item<double>(), 1e-2);
}

TEST(PolicyBatch, RowsDoNotDependOnTheirBatchmates) {
  // Padding sits after each row's tokens and attention is causal: a row's stats are the same alone or batched.
  auto model = model::random_init(model::test_util::tiny_config(), /*seed=*/5);
  const auto sequences = ragged_sequences();
  torch::NoGradGuard no_grad;
  const auto together = response_stats(*model, make_batch(pointers(sequences), torch::kCPU), 1.0);
  for (size_t b = 0; b < sequences.size(); ++b) {
    const auto alone = response_stats(*model, make_batch({&sequences[b]}, torch::kCPU), 1.0);
    const int64_t r = alone.logprobs.size(1);
    const auto row = static_cast<int64_t>(b);
    EXPECT_TRUE(torch::allclose(together.logprobs[row].narrow(0, 0, r), alone.logprobs[0], 1e-5, 1e-5)) << "row " << b;
    EXPECT_TRUE(torch::allclose(together.entropies[row].narrow(0, 0, r), alone.entropies[0], 1e-5, 1e-5)) << "row " << b;
  }
}

}  // namespace
}  // namespace ttrl::train
