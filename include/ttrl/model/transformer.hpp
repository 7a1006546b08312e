#pragma once
// The Llama-family decoder (Qwen2, Qwen3, Llama, Mistral) as a torch::nn::Module, computed as transformers computes
// it: pre-norm residual blocks, RMSNorm in float32, rotate-half RoPE, grouped-query scaled dot-product attention,
// SwiGLU MLP. Parameters carry the Hugging Face names (model.embed_tokens.weight,
// model.layers.N.self_attn.q_proj.weight, ..., lm_head.weight), so named_parameters() maps 1:1 onto a checkpoint.
// With tie_word_embeddings there is no lm_head parameter: the head is model.embed_tokens.weight.
//
// Two ways to run it:
//   * training / scoring, no cache: input_ids [B, T] right-padded; token t has position t and sees tokens 0..t, so
//     valid tokens never see the padding after them (ignore the outputs at padded positions).
//   * sampling, with a KVCache (see kv_cache.hpp): each row continues where its cache row stopped. Inference only:
//     run it under torch::NoGradGuard.
#include <torch/torch.h>

#include <functional>

#include <vector>

#include "ttrl/model/kv_cache.hpp"
#include "ttrl/model/model_config.hpp"
#include "ttrl/model/rope.hpp"

namespace ttrl::model {

/// y = x W^T (+ b). Parameters "weight" [out, in] and, when `bias`, "bias" [out]. Allocated uninitialised.
class LinearImpl : public torch::nn::Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features, bool bias, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;
  torch::Tensor weight, bias;
};
TORCH_MODULE(Linear);

/// y = weight * (x / sqrt(mean(x^2) + eps)), normalised in float32 and cast back to x's dtype before the weight.
class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;
  torch::Tensor weight;
  double eps;
};
TORCH_MODULE(RMSNorm);

/// Token embeddings: parameter "weight" [vocab, hidden]. With a padding id, that row receives no gradient (as
/// torch.nn.Embedding(padding_idx=...) in transformers).
class EmbeddingImpl : public torch::nn::Module {
 public:
  EmbeddingImpl(int64_t vocab, int64_t dim, int64_t padding_idx, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& ids) const;
  torch::Tensor weight;
  int64_t padding_idx;  ///< -1: none
};
TORCH_MODULE(Embedding);

/// What every layer of one forward pass shares.
struct AttentionInputs {
  RotaryTables rope;
  torch::Tensor full_mask;     ///< bool [B|1, 1, T, S], true = may attend; undefined: plain causal (T == S)
  torch::Tensor window_mask;   ///< the same for sliding-window layers; undefined when no layer slides
  KVCache* cache = nullptr;
};

class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(const ModelConfig& config, int64_t layer_index, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const AttentionInputs& inputs) const;
  Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  RMSNorm q_norm{nullptr}, k_norm{nullptr};  ///< Qwen3 only

 private:
  /// A decode step (one token per row) through the fused kernel when the cache has it on; on the cache's first
  /// decode step the kernel is checked against `masked` (the masked SDPA result, returned then).
  torch::Tensor fused_decode(const torch::Tensor& q, KVCache& cache, double scale,
                             const std::function<torch::Tensor()>& masked) const;
  int64_t layer_index_, heads_, kv_heads_, head_dim_;
  bool sliding_;
  int64_t window_;  ///< sliding window W of this layer; 0 when it attends to every earlier token
};
TORCH_MODULE(Attention);

/// down_proj(silu(gate_proj(x)) * up_proj(x))
class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(const ModelConfig& config, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x) const;
  Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Mlp);

/// h = x + attn(input_layernorm(x));  out = h + mlp(post_attention_layernorm(h))
class DecoderLayerImpl : public torch::nn::Module {
 public:
  DecoderLayerImpl(const ModelConfig& config, int64_t layer_index, const torch::TensorOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const AttentionInputs& inputs) const;
  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(DecoderLayer);

/// The "model." prefix of the parameter names: embeddings, layers, final norm.
class DecoderImpl : public torch::nn::Module {
 public:
  DecoderImpl(const ModelConfig& config, const torch::TensorOptions& options);
  Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RMSNorm norm{nullptr};
};
TORCH_MODULE(Decoder);

struct TransformerOptions {
  /// Recompute each layer's activations in backward instead of storing them (training without a cache only).
  /// Gradients then reach the parameters through loss.backward(); torch::autograd::grad() does not see them.
  bool gradient_checkpointing = false;
};

class TransformerImpl : public torch::nn::Module {
 public:
  /// Parameters are allocated UNINITIALISED with `tensor_options` (dtype, device); fill them through
  /// load_pretrained() / random_init() (checkpoint.hpp) or by copying into named_parameters().
  explicit TransformerImpl(ModelConfig config, const torch::TensorOptions& tensor_options = {},
                           TransformerOptions options = {});

  /// Final-norm hidden states [B, T, hidden] for input_ids [B, T] (int64).
  /// Without cache: positions 0..T-1, causal. With cache: row b's tokens get positions length(b)..length(b)+T-1 and
  /// are appended to the cache; `valid` (default: all T) says how many of each row's T tokens are real (the rest is
  /// right padding, whose outputs are meaningless and which the cache forgets).
  torch::Tensor hidden_states(const torch::Tensor& input_ids, KVCache* cache = nullptr,
                              const std::vector<int64_t>& valid = {});
  /// project(hidden_states(...)): [B, T, vocab] in the model dtype. Prefer hidden_states + chunked projection for
  /// long sequences (see token_logprobs.hpp).
  torch::Tensor logits(const torch::Tensor& input_ids, KVCache* cache = nullptr, const std::vector<int64_t>& valid = {});
  /// hidden [..., hidden] -> logits [..., vocab] with the output head.
  torch::Tensor project(const torch::Tensor& hidden) const;
  /// The output head [vocab, hidden]: lm_head.weight, or model.embed_tokens.weight when tied.
  torch::Tensor lm_head_weight() const;

  const ModelConfig& config() const { return config_; }
  torch::Dtype dtype() const { return model->embed_tokens->weight.scalar_type(); }
  torch::Device device() const { return model->embed_tokens->weight.device(); }
  /// A KV cache in this model's dtype and device.
  KVCache make_cache(int64_t max_batch, int64_t max_len) const;
  void set_gradient_checkpointing(bool enabled) { options_.gradient_checkpointing = enabled; }
  bool gradient_checkpointing() const { return options_.gradient_checkpointing; }

  Decoder model{nullptr};
  Linear lm_head{nullptr};  ///< absent (null) when tie_word_embeddings

 private:
  AttentionInputs attention_inputs(const torch::Tensor& positions, int64_t new_tokens, KVCache* cache) const;
  ModelConfig config_;
  TransformerOptions options_;
  /// float32 RoPE frequencies, moved to the device of the last forward; not a registered buffer, so that
  /// to(bfloat16) leaves them exact.
  mutable torch::Tensor inv_freq_;
};
TORCH_MODULE(Transformer);

}  // namespace ttrl::model
