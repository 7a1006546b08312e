#pragma once
// Log-probabilities and entropies of next-token distributions from hidden states, without materialising the
// [rows, vocab] logits of all rows at once, forward or backward:
//   z = (hidden W^T) / temperature,   lse = log sum_v exp(z_v)
//   logprob = z[target] - lse,        entropy = lse - sum_v softmax(z)_v z_v        (nats, full vocabulary)
// Rows are processed in chunks; backward recomputes each chunk's logits and applies
//   dL/dz = g_logprob * (onehot(target) - p) - g_entropy * p * (z - sum_v p_v z_v)
// so peak memory is a few [chunk, vocab] float32 buffers. Differentiable w.r.t. hidden and W.
#include <torch/torch.h>

namespace ttrl::model {

struct TokenLogprobs {
  torch::Tensor logprobs;   ///< [rows] float32
  torch::Tensor entropies;  ///< [rows] float32
};

/// hidden [rows, H] and weight [vocab, H] of the same dtype and device; targets [rows] int64 in [0, vocab).
/// temperature > 0; chunk_rows 0 picks about 2^24 / vocab rows (64 MiB of float32 logits) per chunk.
/// Throws ttrl::Error on bad shapes or out-of-range targets.
TokenLogprobs token_logprobs_and_entropy(const torch::Tensor& hidden, const torch::Tensor& weight,
                                         const torch::Tensor& targets, double temperature = 1.0,
                                         int64_t chunk_rows = 0);

}  // namespace ttrl::model
