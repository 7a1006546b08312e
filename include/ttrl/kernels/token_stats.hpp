#pragma once
// Per-position statistics of a next-token distribution, computed without materialising softmax(logits):
//   z = logits / temperature,  lse = log sum_v exp(z_v)
//   logprob[i] = z[i, target[i]] - lse[i]
//   entropy[i] = lse[i] - sum_v softmax(z)_v * z_v        (nats, full vocabulary)
//   self_certainty[i] = KL(U || softmax(z')) = lse' - mean_v z'_v - ln V
//                     = -mean_v log softmax(z')_v - ln V    (INTUITOR, Zhao et al. 2025; >= 0, 0 for uniform)
// with z' = logits / certainty_temperature. The sampler records all three for every generated token (GRPO needs the
// log-prob, DARE and entropy rewards the entropy, INTUITOR the self-certainty).
// CUDA tensors go to the fused kernel in kernels/token_stats.cu; CPU tensors to a chunked ATen version.
#include <torch/torch.h>

#include <optional>

namespace ttrl::kernels {

struct TokenStats {
  torch::Tensor logprob;         ///< [rows] float32
  torch::Tensor entropy;         ///< [rows] float32
  torch::Tensor self_certainty;  ///< [rows] float32; undefined unless TokenStatsOptions::self_certainty
};

struct TokenStatsOptions {
  double temperature = 1.0;     ///< z = logits / temperature (> 0) for logprob and entropy
  bool self_certainty = false;  ///< also compute self_certainty
  /// The temperature of self_certainty's z'; std::nullopt = `temperature`. 1 gives the raw logits' value.
  std::optional<double> certainty_temperature;
};

/// logits: [rows, vocab] float32/bfloat16/float16 (contiguous last dim); targets: [rows] int64.
/// No gradient flows (sampling-time statistics). Throws ttrl::Error for bad shapes or temperatures.
TokenStats token_stats(const torch::Tensor& logits, const torch::Tensor& targets, const TokenStatsOptions& options);
TokenStats token_stats(const torch::Tensor& logits, const torch::Tensor& targets, double temperature = 1.0);

/// The same computed with plain ATen ops, for tests and as the CPU path.
TokenStats token_stats_reference(const torch::Tensor& logits, const torch::Tensor& targets,
                                 const TokenStatsOptions& options);
TokenStats token_stats_reference(const torch::Tensor& logits, const torch::Tensor& targets, double temperature = 1.0);

/// True when ttrl was built with its CUDA kernels.
bool built_with_cuda();

}  // namespace ttrl::kernels
