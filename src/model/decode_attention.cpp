#include "ttrl/model/decode_attention.hpp"

#include <limits>

#include "ttrl/core/error.hpp"

namespace ttrl::model {

bool fused_decode_supported(const torch::Tensor& q, int64_t head_dim) {
  const auto dtype = q.scalar_type();
  return q.is_cuda() && (dtype == torch::kBFloat16 || dtype == torch::kFloat16) && head_dim % 8 == 0 && head_dim <= 256;
}

torch::Tensor fused_decode_attention(const torch::Tensor& q, const torch::Tensor& keys, const torch::Tensor& values,
                                     const torch::Tensor& key_lengths, int64_t longest, double scale, int64_t window) {
  const int64_t batch = q.size(0), heads = q.size(1), dim = q.size(3);
  const int64_t kv_heads = keys.size(1), slots = keys.size(2);
  if (q.size(2) != 1 || !keys.is_contiguous() || !values.is_contiguous() || keys.size(0) < batch)
    throw Error("fused_decode_attention: one query token per row and whole contiguous cache buffers are needed");
  // Row b's key t is element (b * kv_heads * slots + t) * dim + h * slots * dim of the buffer.
  const int64_t row_tokens = kv_heads * slots, total = (batch - 1) * row_tokens + slots;
  if (total > std::numeric_limits<int32_t>::max())
    throw Error("fused_decode_attention: the cache is too large for the kernel's int32 offsets");
  const std::vector<int64_t> shape{total, kv_heads, dim}, strides{dim, slots * dim, 1};
  const auto k = keys.as_strided(shape, strides), v = values.as_strided(shape, strides);
  const auto int32 = torch::TensorOptions(torch::kInt32).device(q.device());
  const auto starts_q = torch::arange(batch + 1, int32);
  auto starts_k = torch::arange(batch + 1, int32).mul_(static_cast<int32_t>(row_tokens));
  starts_k[batch].fill_(static_cast<int32_t>(total));
  std::optional<int64_t> left, right;
  if (window > 0) left = window - 1, right = 0;  // slots p - window + 1 .. p, as the masked path sees them
  const auto out = std::get<0>(at::_flash_attention_forward(q.reshape({batch, heads, dim}), k, v, starts_q, starts_k,
                                                            /*max_q=*/1, longest, /*dropout_p=*/0.0,
                                                            /*is_causal=*/false, /*return_debug_mask=*/false, scale,
                                                            left, right, key_lengths));
  return out.view({batch, heads, 1, dim});
}

}  // namespace ttrl::model
