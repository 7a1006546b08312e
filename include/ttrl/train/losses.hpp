#pragma once
// The terms of the GRPO objective, each a small function whose comment states its formula. Token tensors are
// [sequences, time] with a 0/1 float mask of the response tokens.
#include <torch/torch.h>

#include <string>

namespace ttrl::train {

enum class LossAggregation { kTokenMean, kSeqMeanTokenMean, kSeqMeanTokenSumNorm };
enum class KlEstimator { kK1, kK2, kK3 };

/// "token-mean" | "seq-mean-token-mean" | "seq-mean-token-sum-norm"; throws ttrl::ConfigError otherwise.
LossAggregation parse_loss_aggregation(const std::string& name);
/// "k1" | "k2" | "k3" ("low_var_kl" accepted as k3); throws ttrl::ConfigError otherwise.
KlEstimator parse_kl_estimator(const std::string& name);

/// Normalisers of a loss aggregation over a whole mini-batch, so that gradient accumulation over micro-batches gives
/// exactly the loss of the full mini-batch (each micro-batch divides by the mini-batch totals, not its own).
struct AggregationScale {
  double total_tokens = 0;     ///< token-mean: response tokens in the mini-batch
  double total_sequences = 0;  ///< seq-mean-*: sequences in the mini-batch
  double norm_length = 0;      ///< seq-mean-token-sum-norm: the constant length L (Dr.GRPO; max response length)
};

/// token-mean:               sum_{i,t} m l / total_tokens
/// seq-mean-token-mean:      sum_i (sum_t m l / sum_t m) / total_sequences
/// seq-mean-token-sum-norm:  sum_i (sum_t m l) / (L * total_sequences)        (Dr.GRPO)
/// With a default-constructed scale the totals of this batch are used.
torch::Tensor aggregate_loss(const torch::Tensor& loss, const torch::Tensor& mask, LossAggregation mode,
                             AggregationScale scale = {});

struct PolicyLossOptions {
  double clip_low = 0.2;    ///< ratio clipped below at 1 - clip_low
  double clip_high = 0.2;   ///< ratio clipped above at 1 + clip_high (clip-higher when > clip_low)
  bool dual_clip = false;
  double clip_c = 3.0;      ///< dual clip: for A < 0 the loss is at most -A * clip_c
  LossAggregation aggregation = LossAggregation::kTokenMean;
};

struct PolicyLossResult {
  torch::Tensor loss;            ///< scalar, differentiable w.r.t. logprobs
  double clip_fraction = 0;      ///< share of tokens where the clipped term was taken
  double dual_clip_fraction = 0; ///< share of tokens where the dual clip was taken
  double approx_kl = 0;          ///< token-mean of (old_logprob - logprob)
};

/// PPO clipped surrogate with ratio rho = exp(logp - old_logp), per token:
///   l = max(-A rho, -A clip(rho, 1 - clip_low, 1 + clip_high))
///   dual clip (A < 0 only): l = min(l, -A clip_c)
/// then aggregated over response tokens. advantages: [sequences] or [sequences, time].
PolicyLossResult policy_loss(const torch::Tensor& logprobs, const torch::Tensor& old_logprobs,
                             const torch::Tensor& advantages, const torch::Tensor& mask,
                             const PolicyLossOptions& options, AggregationScale scale = {});

/// Per-token KL(pi || ref) estimate from log-probs of the sampled tokens (Schulman's estimators), d = logp - ref_logp:
///   k1 = d;   k2 = d^2 / 2;   k3 = exp(-d) + d - 1  (low_var_kl, clamped to [-10, 10] as verl does)
torch::Tensor kl_penalty(const torch::Tensor& logprobs, const torch::Tensor& ref_logprobs, KlEstimator estimator);

}  // namespace ttrl::train
