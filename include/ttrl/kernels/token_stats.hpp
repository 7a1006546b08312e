#pragma once
// Per-position statistics of a next-token distribution, computed without materialising softmax(logits):
//   z = logits / temperature,  lse = log sum_v exp(z_v)
//   logprob[i] = z[i, target[i]] - lse[i]
//   entropy[i] = lse[i] - sum_v softmax(z)_v * z_v        (nats, full vocabulary)
// The sampler records both for every generated token (DARE needs the entropy, GRPO the log-prob).
// CUDA tensors go to the fused kernel in kernels/token_stats.cu; CPU tensors to a chunked ATen version.
#include <torch/torch.h>

namespace ttrl::kernels {

struct TokenStats {
  torch::Tensor logprob;  ///< [rows] float32
  torch::Tensor entropy;  ///< [rows] float32
};

/// logits: [rows, vocab] float32/bfloat16/float16 (contiguous last dim); targets: [rows] int64.
/// temperature > 0. No gradient flows (sampling-time statistics).
TokenStats token_stats(const torch::Tensor& logits, const torch::Tensor& targets, double temperature = 1.0);

/// The same computed with plain ATen ops, for tests and as the CPU path.
TokenStats token_stats_reference(const torch::Tensor& logits, const torch::Tensor& targets, double temperature = 1.0);

/// True when ttrl was built with its CUDA kernels.
bool built_with_cuda();

}  // namespace ttrl::kernels
