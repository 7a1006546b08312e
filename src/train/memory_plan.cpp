#include "ttrl/train/memory_plan.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "ttrl/core/device.hpp"
#include "ttrl/core/memory.hpp"
#include "ttrl/dist/gradient_sync.hpp"
#include "ttrl/model/kv_cache.hpp"
#include "ttrl/model/model_config.hpp"
#include "ttrl/rollout/sampler.hpp"
#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl::train {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kCpuRuntime = 512 * kMiB;   // peak RSS of `ttrl train -c configs/smoke.yaml` (0.4 MB model)
constexpr double kGpuRuntime = 1024 * kMiB;  // CUDA context + allocator slack: an estimate
constexpr double kLogprobChunk = 64 * kMiB;  // model/token_logprobs.hpp: 2^24 float32 logits per chunk

model::ModelConfig model_config_of(const RunConfig& config) {
  if (!config.model.path.empty()) return model::ModelConfig::load(config.model.path);
  int64_t vocab = config.model.random.vocab_size;
  if (vocab <= 0) {
    const std::string path = !config.tokenizer.path.empty() ? config.tokenizer.path : config.model.path;
    vocab = load_tokenizer(path)->vocab_size();
  }
  return model::ModelConfig::from_random_section(config.model.random, vocab);
}

double element_bytes(const RunConfig& config, bool gpu) {
  switch (parse_dtype(config.model.dtype)) {
    case DType::kFloat32: return 4;
    case DType::kBFloat16:
    case DType::kFloat16: return 2;
    case DType::kAuto: break;
  }
  return gpu ? 2 : 4;
}

/// Bytes autograd keeps per token of one layer (see the header), s bytes per element: each RMSNorm's input and
/// output in float32 (the next layer's input is this one's residual sum, counted once); the rotated q and k and v
/// (SDPA's inputs) and its output (o_proj's input); the MLP's gate and up outputs, silu(gate) and their product
/// (down_proj's input). The projections' inputs are the norms' outputs, not kept twice.
double layer_activation_bytes(const model::ModelConfig& c, double s) {
  const double h = static_cast<double>(c.hidden_size), i = static_cast<double>(c.intermediate_size);
  const double q = static_cast<double>(c.q_size()), kv = static_cast<double>(c.kv_size());
  const double norms = 2 * 2 * h * 4;
  const double attention = s * (q + 2 * kv + q);
  const double mlp = s * 4 * i;
  return norms + attention + mlp;
}

/// "7.62B", "57.1M", "108K" parameters.
std::string count_text(double n) {
  if (n >= 1e9) return fmt::format("{:.3g}B", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.3g}M", n / 1e6);
  return fmt::format("{:.3g}K", n / 1e3);
}

/// The plan's parts for N processes.
MemoryPlan plan_for(const RunConfig& config, const model::ModelConfig& model, const MemoryPlanOptions& options,
                    int64_t processes) {
  MemoryPlan plan;
  plan.processes = processes;
  const double P = model.parameter_count(), s = element_bytes(config, options.gpu);
  const bool masters = config.trainer.fp32_master_weights && s < 4;
  const double n = processes > 1 && config.trainer.zero_stage >= 1 ? static_cast<double>(processes) : 1.0;
  const std::string shard_note = n > 1 ? fmt::format("1/{} (trainer.zero_stage 1)", processes) : "";
  auto add = [&](const std::string& name, double bytes, const std::string& phase, const std::string& note) {
    plan.parts.push_back({name, bytes, phase, note});
  };
  add("runtime", options.gpu ? kGpuRuntime : kCpuRuntime, "always",
      options.gpu ? "CUDA context and allocator slack (estimate)" : "LibTorch code and pools (measured)");
  add("policy", P * s, "always", fmt::format("{} parameters x {} bytes", count_text(P), s));
  if (config.algorithm.kl_coef > 0) add("reference", P * s, "always", "algorithm.kl_coef > 0");
  if (masters) add("float32 masters", P * 4 / n, "always", shard_note);
  add("AdamW moments", 2 * P * (masters ? 4 : s) / n, "always", shard_note);

  // Sampling: this process's prompts of a step, n_vote rows each, capped by the sampler's batch, each row as the
  // sampler counts it (rollout::decode_row_bytes); the automatic budget is the sampler's: 40% of what the parts
  // above leave free on a GPU, 1 GiB on the CPU.
  const int64_t max_prompt = config.data.max_prompt_tokens, max_new = config.rollout.max_new_tokens;
  const double max_len = static_cast<double>(max_prompt + max_new);
  const torch::Dtype dtype = s < 4 ? torch::kBFloat16 : torch::kFloat32;
  const double per_row = static_cast<double>(rollout::decode_row_bytes(model, dtype, max_prompt, max_new));
  const double kv_row = static_cast<double>(model::KVCache::bytes_needed(model, {1, max_prompt + max_new, dtype, torch::kCPU}));
  double resident = 0;  // every part so far is resident all the time
  for (const auto& part : plan.parts) resident += part.bytes;
  double budget = 1024 * kMiB;
  if (config.rollout.memory_budget_mb > 0) budget = static_cast<double>(config.rollout.memory_budget_mb) * kMiB;
  else if (options.gpu) budget = 0.4 * std::max(0.0, (options.device_bytes > 0 ? options.device_bytes : 80.0 * 1024 * kMiB) - resident);
  const double prompts = std::ceil(static_cast<double>(config.trainer.prompts_per_step) / static_cast<double>(processes));
  const double wanted = prompts * static_cast<double>(config.rollout.n_vote);
  const double rows = std::min(wanted, config.rollout.max_batch_sequences > 0
                                           ? static_cast<double>(config.rollout.max_batch_sequences)
                                           : std::clamp(std::floor(budget / per_row), 1.0, 4096.0));
  add("KV cache", rows * kv_row, "sampling", fmt::format("{:.0f} rows x {:.0f} tokens", rows, max_len));
  add("sampling buffers", rows * (per_row - kv_row), "sampling",
      "per row: prefill cache row, statistics, logits and their float32 sampling temporaries");

  add("gradients", P * s, "update", "");
  if (masters) add("float32 master gradients", P * 4 / n, "update", shard_note);
  if (processes > 1) {
    // dist::GradientSync: flat copies of the buckets in flight (at most kMaxInFlight with overlap), each of
    // trainer.grad_bucket_mb float32-MiB worth of elements, in the state dtype (sharded, with this rank's slice
    // beside it) or the gradients' dtype (replicated).
    const double elements = std::clamp(std::floor(config.trainer.grad_bucket_mb * kMiB / 4), 1.0, P);
    const double in_flight = std::min(std::ceil(P / elements), config.trainer.overlap_grad_reduce
                                                                    ? double(dist::GradientSync::kMaxInFlight) : 1.0);
    const double bytes = n > 1 ? elements * (masters ? 4 : s) * (1 + 1 / n) : elements * s;
    add("gradient buckets", in_flight * bytes, "update",
        fmt::format("{:.0f} flat bucket(s) of trainer.grad_bucket_mb {:g} in flight", in_flight,
                    config.trainer.grad_bucket_mb));
  }
  const double micro_tokens = static_cast<double>(config.algorithm.micro_batch_size) * max_len;
  const double layers = static_cast<double>(model.num_hidden_layers);
  const double per_layer = layer_activation_bytes(model, s) * micro_tokens;
  plan.activations_full = layers * per_layer;
  plan.activations_checkpointed = layers * micro_tokens * static_cast<double>(model.hidden_size) * s + per_layer;
  const bool checkpointing = config.model.gradient_checkpointing;
  add("activations", checkpointing ? plan.activations_checkpointed : plan.activations_full, "update",
      fmt::format("micro-batch of {} x {:.0f} tokens; {} with model.gradient_checkpointing {}",
                  config.algorithm.micro_batch_size, max_len,
                  format_bytes(checkpointing ? plan.activations_full : plan.activations_checkpointed),
                  checkpointing ? "off" : "on"));
  add("log-prob chunks", std::min(3 * kLogprobChunk, micro_tokens * static_cast<double>(model.vocab_size) * 4 * 3),
      "update", "float32 logits in chunks, forward and backward");

  double always = 0, sampling = 0, update = 0;
  for (const auto& part : plan.parts)
    (part.phase == "always" ? always : part.phase == "sampling" ? sampling : update) += part.bytes;
  plan.peak = always + std::max(sampling, update);
  plan.model = fmt::format("{}, {} parameters, {}", model.model_type, count_text(P),
                           s == 4 ? "float32" : parse_dtype(config.model.dtype) == DType::kFloat16 ? "float16" : "bfloat16");
  return plan;
}

}  // namespace

MemoryPlan plan_memory(const RunConfig& config, const MemoryPlanOptions& options) {
  const model::ModelConfig model = model_config_of(config);
  double device = options.device_bytes;
  if (device <= 0 && !options.gpu) device = static_cast<double>(host_available_bytes().value_or(0));
  MemoryPlan plan = plan_for(config, model, options, std::max<int64_t>(1, options.processes));
  plan.device_bytes = device;
  plan.fits = device <= 0 || plan.peak <= device;
  if (device > 0)
    for (int64_t n = 1; n <= 4096; n *= 2)
      if (plan_for(config, model, options, n).peak <= device) {
        plan.smallest_fitting = n;
        break;
      }
  return plan;
}

std::string format_plan(const MemoryPlan& plan) {
  std::string out = fmt::format("model: {}; per process of {}:\n\n", plan.model, plan.processes);
  out += fmt::format("  {:<26} {:>11}  {:<9} {}\n", "part", "bytes", "phase", "note");
  for (const auto& part : plan.parts)
    out += fmt::format("  {:<26} {:>11}  {:<9} {}\n", part.name, format_bytes(part.bytes), part.phase, part.note);
  out += fmt::format("\n  peak = always + max(sampling, update) = {}", format_bytes(plan.peak));
  if (plan.device_bytes > 0)
    out += fmt::format(" of {}: {}\n", format_bytes(plan.device_bytes), plan.fits ? "fits" : "does NOT fit");
  else
    out += " (device memory unknown: give --gpu-memory)\n";
  if (plan.device_bytes > 0)
    out += plan.smallest_fitting > 0
               ? fmt::format("  smallest number of processes (powers of 2) that fits: {}\n", plan.smallest_fitting)
               : "  no number of processes up to 4096 fits: the policy and reference alone are too large\n";
  return out;
}

std::string plan_json(const MemoryPlan& plan) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& part : plan.parts)
    parts.push_back({{"name", part.name}, {"bytes", part.bytes}, {"phase", part.phase}, {"note", part.note}});
  return nlohmann::json{{"model", plan.model},
                        {"processes", plan.processes},
                        {"parts", parts},
                        {"peak_bytes", plan.peak},
                        {"device_bytes", plan.device_bytes},
                        {"fits", plan.fits},
                        {"smallest_fitting_processes", plan.smallest_fitting},
                        {"activations_bytes", {{"checkpointing", plan.activations_checkpointed},
                                               {"no_checkpointing", plan.activations_full}}}}
      .dump(2);
}

}  // namespace ttrl::train
