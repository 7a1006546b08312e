#pragma once
// Decode attention (one query token per row) over a KV cache whose rows hold different lengths, through the
// FlashAttention-2 kernel PyTorch ships (at::_flash_attention_forward with per-row key lengths, `seqused_k`): no mask
// over the padded cache, and each row's cost follows its own length. The cache stays in its [rows, kv_heads, slots,
// head_dim] layout: it is handed to the kernel as a variable-length key tensor [total, kv_heads, head_dim] with a
// token stride of head_dim and a head stride of slots * head_dim, row b starting at token b * kv_heads * slots.
// CUDA, bfloat16 or float16, head_dim a multiple of 8 up to 256; elsewhere the layers keep masked SDPA.
// The first decode step of each cache checks the kernel against masked SDPA layer by layer (KVCache::fused_decode).
#include <torch/torch.h>

#include <cstdint>

namespace ttrl::model {

/// True when fused_decode_attention can run for a query of this device, dtype and head size.
bool fused_decode_supported(const torch::Tensor& q, int64_t head_dim);

/// softmax(q k^T * scale) v for q [B, H, 1, d] over the first key_lengths[b] slots of row b of the layer's whole cache
/// buffers keys, values [max_batch, H_kv, slots, d]; window > 0 limits row b to its last `window` slots.
/// key_lengths: int32 [B] on q's device; longest: their maximum. Returns [B, H, 1, d].
torch::Tensor fused_decode_attention(const torch::Tensor& q, const torch::Tensor& keys, const torch::Tensor& values,
                                     const torch::Tensor& key_lengths, int64_t longest, double scale, int64_t window);

}  // namespace ttrl::model
