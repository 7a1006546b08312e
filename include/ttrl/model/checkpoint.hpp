#pragma once
// Hugging Face checkpoint directories in and out: config.json (+ generation_config.json), model.safetensors or
// shards with model.safetensors.index.json, tokenizer files. What ttrl writes, transformers' from_pretrained loads.
#include <torch/torch.h>

#include <string>

#include "ttrl/core/device.hpp"
#include "ttrl/model/transformer.hpp"

namespace ttrl::model {

/// torch dtype for a ttrl::DType; kAuto: bfloat16 on CUDA, float32 on CPU.
torch::Dtype to_torch_dtype(DType dtype, const torch::Device& device);
/// torch device for a ttrl::DeviceSpec; kAuto: cuda:0 when available, else cpu. Throws ttrl::Error when CUDA is
/// requested but not available.
torch::Device to_torch_device(const DeviceSpec& device);
/// "float32", "bfloat16", "float16" (the names config.json uses).
std::string dtype_name(torch::Dtype dtype);

struct LoadOptions {
  torch::Dtype dtype = torch::kFloat32;
  torch::Device device = torch::kCPU;
  TransformerOptions transformer;
  bool check_finite = true;  ///< warn (spdlog) about each weight holding NaN or Inf
};

/// Reads config.json, generation_config.json and the safetensors weights of `dir`, converting them to the requested
/// dtype and device. Throws ttrl::IoError / ttrl::ConfigError naming the file and tensor when a tensor is missing,
/// its shape disagrees with config.json, or a file is defective. Tensors the model does not use are skipped with a
/// warning (a duplicate lm_head.weight of a tied model silently).
Transformer load_pretrained(const std::string& dir, const LoadOptions& options = {});

/// Copies the checkpoint's tensors into `model`'s parameters (same checks as load_pretrained).
void load_weights(TransformerImpl& model, const std::string& dir, bool check_finite = true);

struct SaveOptions {
  std::string tokenizer_source_dir;         ///< copy tokenizer files (and generation_config.json) from here; "" none
  int64_t max_shard_bytes = 5'000'000'000;  ///< larger checkpoints are split into shards with an index
  std::string dtype;                        ///< "" keep the model dtype; else float32 | bfloat16 | float16
};

/// Writes a save_pretrained-style directory: config.json, model.safetensors (or model-0000i-of-0000n.safetensors +
/// model.safetensors.index.json), tokenizer files, generation_config.json. Atomic: everything goes to a temporary
/// sibling directory first, which is then renamed onto `dir` (an existing `dir` is replaced only after the new one
/// is complete). Throws ttrl::IoError naming the path.
void save_pretrained(const TransformerImpl& model, const std::string& dir, const SaveOptions& options = {});

/// A model with transformers' initialisation: weights ~ N(0, initializer_range), biases 0, norm weights 1;
/// deterministic for a given seed (CPU generator, then moved to dtype/device).
Transformer random_init(const ModelConfig& config, uint64_t seed, torch::Dtype dtype = torch::kFloat32,
                        torch::Device device = torch::kCPU, TransformerOptions options = {});

/// An independent copy of `model` (same config, dtype, device; weights copied). `requires_grad` false gives a frozen
/// copy, e.g. the reference policy of a KL penalty. (The modules are not torch::nn::Cloneable.)
Transformer copy_model(const TransformerImpl& model, bool requires_grad = true);

}  // namespace ttrl::model
