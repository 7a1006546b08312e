// The building blocks of a decoder layer: linear, RMSNorm, embedding, attention, SwiGLU MLP.
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ttrl/model/decode_attention.hpp"

#include "ttrl/model/transformer.hpp"

namespace ttrl::model {
namespace {

/// softmax(q k^T * scale + mask) v where each kv head serves `groups` consecutive query heads (query head h uses kv
/// head h / groups). q [B, H, T, d], k and v [B, H / groups, S, d]. Chooses a formulation the fused SDPA kernels
/// accept: with a mask, CUDA's kernels do not take enable_gqa (they fall back to the slow math kernel), so
///   * one query token (decode): the groups of query heads become the query axis, q -> [B, H / groups, groups, d],
///     which needs no copy of K/V, and the per-row mask [B, 1, 1, S] is the same for all of them;
///   * several query tokens with a mask (prefill, sliding window): K and V are expanded to H heads;
///   * no mask (causal training forward): enable_gqa.
torch::Tensor grouped_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                const torch::Tensor& mask, double scale, int64_t groups) {
  const std::optional<torch::Tensor> attn_mask = mask.defined() ? std::optional<torch::Tensor>(mask) : std::nullopt;
  if (groups == 1 || !mask.defined())
    return at::scaled_dot_product_attention(q, k, v, attn_mask, 0.0, !mask.defined(), scale, groups > 1);
  const int64_t batch = q.size(0), heads = q.size(1), tokens = q.size(2), dim = q.size(3);
  if (tokens == 1) {
    const torch::Tensor packed = q.reshape({batch, heads / groups, groups, dim});
    return at::scaled_dot_product_attention(packed, k, v, attn_mask, 0.0, false, scale)
        .reshape({batch, heads, 1, dim});
  }
  auto expand = [&](const torch::Tensor& x) {
    return x.unsqueeze(2).expand({batch, x.size(1), groups, x.size(2), dim}).reshape({batch, heads, x.size(2), dim});
  };
  return at::scaled_dot_product_attention(q, expand(k), expand(v), attn_mask, 0.0, false, scale);
}

}  // namespace

LinearImpl::LinearImpl(int64_t in_features, int64_t out_features, bool with_bias, const torch::TensorOptions& options) {
  weight = register_parameter("weight", torch::empty({out_features, in_features}, options));
  if (with_bias) bias = register_parameter("bias", torch::empty({out_features}, options));
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) const { return torch::nn::functional::linear(x, weight, bias); }

RMSNormImpl::RMSNormImpl(int64_t dim, double eps_, const torch::TensorOptions& options) : eps(eps_) {
  weight = register_parameter("weight", torch::empty({dim}, options));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) const {
  const torch::Tensor x32 = x.to(torch::kFloat32);
  const torch::Tensor normalized = x32 * torch::rsqrt(x32.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return weight * normalized.to(x.scalar_type());
}

EmbeddingImpl::EmbeddingImpl(int64_t vocab, int64_t dim, int64_t padding_idx_, const torch::TensorOptions& options)
    : padding_idx(padding_idx_) {
  weight = register_parameter("weight", torch::empty({vocab, dim}, options));
}

torch::Tensor EmbeddingImpl::forward(const torch::Tensor& ids) const { return torch::embedding(weight, ids, padding_idx); }

AttentionImpl::AttentionImpl(const ModelConfig& config, int64_t layer_index, const torch::TensorOptions& options)
    : layer_index_(layer_index),
      heads_(config.num_attention_heads),
      kv_heads_(config.num_key_value_heads),
      head_dim_(config.head_dim),
      sliding_(config.layer_types.at(static_cast<size_t>(layer_index)) == AttentionKind::kSlidingWindow),
      window_(sliding_ ? config.sliding_window : 0) {
  const int64_t hidden = config.hidden_size;
  q_proj = register_module("q_proj", Linear(hidden, config.q_size(), config.qkv_bias, options));
  k_proj = register_module("k_proj", Linear(hidden, config.kv_size(), config.qkv_bias, options));
  v_proj = register_module("v_proj", Linear(hidden, config.kv_size(), config.qkv_bias, options));
  o_proj = register_module("o_proj", Linear(config.q_size(), hidden, config.o_proj_bias, options));
  if (config.qk_norm) {
    q_norm = register_module("q_norm", RMSNorm(head_dim_, config.rms_norm_eps, options));
    k_norm = register_module("k_norm", RMSNorm(head_dim_, config.rms_norm_eps, options));
  }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const AttentionInputs& inputs) const {
  const int64_t batch = x.size(0), tokens = x.size(1);
  torch::Tensor q = q_proj->forward(x).view({batch, tokens, heads_, head_dim_});
  torch::Tensor k = k_proj->forward(x).view({batch, tokens, kv_heads_, head_dim_});
  torch::Tensor v = v_proj->forward(x).view({batch, tokens, kv_heads_, head_dim_}).transpose(1, 2);
  if (q_norm) {  // Qwen3: RMSNorm over each head's vector, before RoPE
    q = q_norm->forward(q);
    k = k_norm->forward(k);
  }
  q = apply_rotary(q.transpose(1, 2), inputs.rope);  // [B, heads, T, head_dim]
  k = apply_rotary(k.transpose(1, 2), inputs.rope);
  if (inputs.cache != nullptr) std::tie(k, v) = inputs.cache->write(layer_index_, k, v);
  const torch::Tensor& mask = sliding_ ? inputs.window_mask : inputs.full_mask;
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim_));
  auto masked = [&]() { return grouped_attention(q, k, v, mask, scale, heads_ / kv_heads_); };
  const bool decode = inputs.cache != nullptr && tokens == 1 && fused_decode_supported(q, head_dim_) &&
                      inputs.cache->fused_decode(layer_index_) != KVCache::FusedDecode::kOff;
  const torch::Tensor out = decode ? fused_decode(q, *inputs.cache, scale, masked) : masked();
  return o_proj->forward(out.transpose(1, 2).reshape({batch, tokens, heads_ * head_dim_}));
}

torch::Tensor AttentionImpl::fused_decode(const torch::Tensor& q, KVCache& cache, double scale,
                                          const std::function<torch::Tensor()>& masked) const {
  auto fused = [&]() {
    return fused_decode_attention(q, cache.layer_keys(layer_index_), cache.layer_values(layer_index_),
                                  cache.pending_key_lengths(), cache.pending_span(), scale, window_);
  };
  if (cache.fused_decode(layer_index_) == KVCache::FusedDecode::kOn) return fused();
  // First decode step of this cache: the kernel must agree with masked SDPA (to bf16 rounding) before it is used.
  const torch::Tensor reference = masked();
  std::string problem;
  try {
    const torch::Tensor candidate = fused();
    const double error = (candidate.to(torch::kFloat32) - reference.to(torch::kFloat32)).abs().max().item<double>();
    const double bound = 0.02 * reference.abs().max().item<double>() + 1e-3;
    if (!(error <= bound)) problem = fmt::format("differs from masked SDPA by {:.3g} (bound {:.3g})", error, bound);
  } catch (const c10::Error& e) {
    problem = std::string("failed: ") + e.what_without_backtrace();
  }
  if (problem.empty()) {
    cache.set_fused_decode(layer_index_, KVCache::FusedDecode::kOn);
  } else {
    cache.set_fused_decode(layer_index_, KVCache::FusedDecode::kOff);
    spdlog::warn("decode attention: the fused kernel (layer {}) {}; this sampling run uses masked SDPA", layer_index_,
                 problem);
  }
  return reference;
}

MlpImpl::MlpImpl(const ModelConfig& config, const torch::TensorOptions& options) {
  gate_proj = register_module("gate_proj", Linear(config.hidden_size, config.intermediate_size, config.mlp_bias, options));
  up_proj = register_module("up_proj", Linear(config.hidden_size, config.intermediate_size, config.mlp_bias, options));
  down_proj = register_module("down_proj", Linear(config.intermediate_size, config.hidden_size, config.mlp_bias, options));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) const {
  return down_proj->forward(torch::silu(gate_proj->forward(x)) * up_proj->forward(x));
}

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& config, int64_t layer_index, const torch::TensorOptions& options) {
  self_attn = register_module("self_attn", Attention(config, layer_index, options));
  mlp = register_module("mlp", Mlp(config, options));
  input_layernorm = register_module("input_layernorm", RMSNorm(config.hidden_size, config.rms_norm_eps, options));
  post_attention_layernorm =
      register_module("post_attention_layernorm", RMSNorm(config.hidden_size, config.rms_norm_eps, options));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const AttentionInputs& inputs) const {
  const torch::Tensor h = x + self_attn->forward(input_layernorm->forward(x), inputs);
  return h + mlp->forward(post_attention_layernorm->forward(h));
}

}  // namespace ttrl::model
