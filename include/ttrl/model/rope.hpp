#pragma once
// Rotary position embeddings in the rotate-half convention of transformers (Llama, Qwen, Mistral):
//   inv_freq[i] = 1 / theta^(2i / head_dim), i < head_dim/2     (adjusted by linear or llama3 scaling)
//   angle[p, i] = p * inv_freq[i];  cos/sin = [cos(angle), cos(angle)] / [sin(angle), sin(angle)]   (float32)
//   rope(x) = x * cos + rotate_half(x) * sin,   rotate_half([x1, x2]) = [-x2, x1]
// cos/sin are computed in float32 and cast to the activation dtype before they are applied, exactly as
// transformers does, so that bf16 runs round the same way.
#include <torch/torch.h>

#include "ttrl/model/model_config.hpp"

namespace ttrl::model {

/// inv_freq [head_dim / 2] float32 on `device`, for the config's rope type (default, linear, llama3).
torch::Tensor rope_inverse_frequencies(const RopeConfig& rope, int64_t head_dim, const torch::Device& device);

struct RotaryTables {
  torch::Tensor cos;  ///< [B, 1, T, head_dim], activation dtype
  torch::Tensor sin;
};

/// cos/sin for positions [B, T] (int64), broadcastable over heads.
RotaryTables rotary_tables(const torch::Tensor& inv_freq, const torch::Tensor& positions, torch::Dtype dtype);

/// x [B, heads, T, head_dim] rotated by the tables.
torch::Tensor apply_rotary(const torch::Tensor& x, const RotaryTables& tables);

}  // namespace ttrl::model
