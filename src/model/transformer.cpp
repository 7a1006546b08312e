// The decoder stack: embeddings, layers (optionally checkpointed), final norm, output head; attention masks.
#include "ttrl/model/transformer.hpp"

#include <fmt/format.h>

#include "ttrl/core/error.hpp"
#include "ttrl/core/memory.hpp"

namespace ttrl::model {
namespace {

/// Recomputes one layer in backward instead of keeping its activations (PyTorch's reentrant checkpoint): forward
/// runs without autograd and saves only the layer input; backward reruns the layer with autograd on and
/// back-propagates through it, accumulating parameter gradients into .grad.
struct CheckpointState : torch::CustomClassHolder {
  const DecoderLayerImpl* layer = nullptr;
  AttentionInputs inputs;
};

class CheckpointedLayer : public torch::autograd::Function<CheckpointedLayer> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& hidden,
                               const c10::intrusive_ptr<CheckpointState>& state) {
    ctx->saved_data["state"] = c10::IValue::make_capsule(state);
    ctx->save_for_backward({hidden});
    torch::NoGradGuard no_grad;
    return state->layer->forward(hidden, state->inputs);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto state = c10::static_intrusive_pointer_cast<CheckpointState>(ctx->saved_data["state"].toCapsule());
    const torch::Tensor hidden = ctx->get_saved_variables()[0].detach().requires_grad_(true);
    torch::Tensor output;
    {
      torch::AutoGradMode enable(true);
      output = state->layer->forward(hidden, state->inputs);
    }
    torch::autograd::backward({output}, {grad_outputs[0]});
    return {hidden.grad(), torch::Tensor()};
  }
};

/// Key slot j is visible from a query at position p when j <= p, and, with a window W, when j > p - W.
/// positions [B, T] -> bool [B, 1, T, span].
torch::Tensor visibility_mask(const torch::Tensor& positions, int64_t span, int64_t window) {
  const torch::Tensor slots = torch::arange(span, positions.options()).view({1, 1, 1, span});
  const torch::Tensor query = positions.unsqueeze(1).unsqueeze(-1);  // [B, 1, T, 1]
  torch::Tensor mask = slots <= query;
  if (window > 0) mask = mask.logical_and(slots > query - window);
  return mask;
}

/// Refuses to build weights the host cannot hold: an error naming the sizes and where they came from, instead of an
/// allocation failure (an abort or std::bad_alloc) in the middle of construction. Meta tensors take no memory;
/// CUDA devices are not checked here yet.
void check_weights_fit(const ModelConfig& c, const torch::TensorOptions& options) {
  if (!options.device().is_cpu()) return;
  const double bytes = c.parameter_count() * static_cast<double>(options.dtype().itemsize());
  const std::string what = fmt::format(
      "a {} model of {:.3g} parameters ({} layers, hidden_size {}, intermediate_size {}, vocab_size {}) in {}",
      c.model_type, c.parameter_count(), c.num_hidden_layers, c.hidden_size, c.intermediate_size, c.vocab_size,
      c10::toString(torch::typeMetaToScalarType(options.dtype())));
  check_fits_in_memory(bytes, host_available_bytes(), what, c.origin.empty() ? "the model config" : c.origin);
}

bool any_layer(const ModelConfig& config, AttentionKind kind) {
  for (AttentionKind k : config.layer_types)
    if (k == kind) return true;
  return false;
}

}  // namespace

DecoderImpl::DecoderImpl(const ModelConfig& config, const torch::TensorOptions& options) {
  embed_tokens = register_module(
      "embed_tokens", Embedding(config.vocab_size, config.hidden_size, config.pad_token_id.value_or(-1), options));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) layers->push_back(DecoderLayer(config, i, options));
  norm = register_module("norm", RMSNorm(config.hidden_size, config.rms_norm_eps, options));
}

TransformerImpl::TransformerImpl(ModelConfig config, const torch::TensorOptions& tensor_options,
                                 TransformerOptions options)
    : config_(std::move(config)), options_(options) {
  config_.validate();
  check_weights_fit(config_, tensor_options);
  if (config_.pad_token_id && (*config_.pad_token_id < 0 || *config_.pad_token_id >= config_.vocab_size))
    config_.pad_token_id.reset();  // an out-of-vocabulary pad id has no embedding row to protect
  model = register_module("model", Decoder(config_, tensor_options));
  if (!config_.tie_word_embeddings)
    lm_head = register_module("lm_head", Linear(config_.hidden_size, config_.vocab_size, false, tensor_options));
  inv_freq_ = rope_inverse_frequencies(config_.rope, config_.head_dim, torch::kCPU);
}

AttentionInputs TransformerImpl::attention_inputs(const torch::Tensor& positions, int64_t new_tokens,
                                                  KVCache* cache) const {
  AttentionInputs inputs;
  inputs.cache = cache;
  if (inv_freq_.device() != positions.device()) inv_freq_ = inv_freq_.to(positions.device());
  inputs.rope = rotary_tables(inv_freq_, positions, dtype());
  const bool has_window = any_layer(config_, AttentionKind::kSlidingWindow);
  const bool has_full = any_layer(config_, AttentionKind::kFull);
  if (cache != nullptr) {
    int64_t longest = 0;
    for (int64_t length : cache->lengths()) longest = std::max(longest, length);
    const int64_t span = longest + new_tokens;
    // A prefill into empty rows is plainly causal (span == T): the flag lets SDPA use its fastest kernels.
    if (has_full && longest > 0) inputs.full_mask = visibility_mask(positions, span, 0);
    if (has_window) inputs.window_mask = visibility_mask(positions, span, config_.sliding_window);
  } else if (has_window) {
    // Without cache the full layers use the causal flag; the window needs an explicit [1, 1, T, T] mask.
    inputs.window_mask = visibility_mask(positions.narrow(0, 0, 1), new_tokens, config_.sliding_window);
  }
  return inputs;
}

torch::Tensor TransformerImpl::hidden_states(const torch::Tensor& input_ids, KVCache* cache,
                                             const std::vector<int64_t>& valid) {
  if (input_ids.dim() != 2 || input_ids.scalar_type() != torch::kInt64)
    throw Error("Transformer: input_ids must be an int64 tensor [batch, tokens]");
  const int64_t batch = input_ids.size(0), tokens = input_ids.size(1);
  if (tokens == 0) throw Error("Transformer: input_ids has no tokens");
  const torch::Tensor ids = input_ids.to(device());
  torch::Tensor positions;
  if (cache != nullptr) {
    if (torch::GradMode::is_enabled())
      throw Error("Transformer: forward passes with a KV cache are inference only; run them under torch::NoGradGuard");
    if (cache->batch_size() != batch)
      throw Error("Transformer: input has " + std::to_string(batch) + " rows but the KV cache batch has " +
                  std::to_string(cache->batch_size()));
    if (!valid.empty() && static_cast<int64_t>(valid.size()) != batch)
      throw Error("Transformer: `valid` needs one count per row");
    positions = cache->begin_forward(tokens);
  } else {
    positions = torch::arange(tokens, ids.options()).unsqueeze(0).expand({batch, tokens});
  }
  const AttentionInputs inputs = attention_inputs(positions, tokens, cache);
  torch::Tensor hidden = model->embed_tokens->forward(ids);
  const bool checkpoint = options_.gradient_checkpointing && cache == nullptr && torch::GradMode::is_enabled();
  if (checkpoint && !hidden.requires_grad()) hidden = hidden.detach().requires_grad_(true);  // so backward reaches the layers
  for (const auto& module : *model->layers) {
    const auto* layer = module->as<DecoderLayerImpl>();
    if (checkpoint) {
      auto state = c10::make_intrusive<CheckpointState>();
      state->layer = layer;
      state->inputs = inputs;
      hidden = CheckpointedLayer::apply(hidden, state);
    } else {
      hidden = layer->forward(hidden, inputs);
    }
  }
  hidden = model->norm->forward(hidden);
  if (cache != nullptr) cache->end_forward(valid.empty() ? std::vector<int64_t>(static_cast<size_t>(batch), tokens) : valid);
  return hidden;
}

torch::Tensor TransformerImpl::logits(const torch::Tensor& input_ids, KVCache* cache, const std::vector<int64_t>& valid) {
  return project(hidden_states(input_ids, cache, valid));
}

torch::Tensor TransformerImpl::project(const torch::Tensor& hidden) const {
  return torch::nn::functional::linear(hidden, lm_head_weight());
}

torch::Tensor TransformerImpl::lm_head_weight() const {
  return lm_head ? lm_head->weight : model->embed_tokens->weight;
}

KVCache TransformerImpl::make_cache(int64_t max_batch, int64_t max_len) const {
  return KVCache(config_, KVCacheOptions{max_batch, max_len, dtype(), device()});
}

}  // namespace ttrl::model
