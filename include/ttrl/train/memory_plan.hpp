#pragma once
// `ttrl plan`: the memory one process of a training run needs, part by part, before anything is loaded.
//
// Peak per process = runtime + policy + reference + masters + moments + max(sampling, update), with P parameters,
// s bytes per element of the policy, N processes and n = N when the optimizer state is sharded (else 1):
//   policy P*s; reference P*s when algorithm.kl_coef > 0; float32 masters P*4/n when the policy is 16-bit and
//   trainer.fp32_master_weights; AdamW moments 2*P*m/n (m = 4 with masters, else s);
//   sampling: the KV cache of the rollout batch (the sampler's rows: rollout.max_batch_sequences, or its memory
//   budget, at most this process's prompts x rollout.n_vote) at data.max_prompt_tokens + rollout.max_new_tokens
//   tokens, and the logits of those rows;
//   update: gradients P*s (+ float32 master gradients P*4/n, + one 8M-element bucket of float32 when sharded),
//   activations of one micro-batch (per layer and token: the norms' inputs and outputs in float32, the rotated
//   q/k, v and the attention output, and the MLP's four intermediate-size tensors; with
//   model.gradient_checkpointing only each layer's input plus one layer's activations; attention scores are not
//   counted: SDPA's fused kernels keep none), and the log-prob chunks (three 64 MiB buffers at most).
// Runtime: 512 MiB on the CPU (the peak RSS of `ttrl train -c configs/smoke.yaml`, a 0.4 MB model: LibTorch's code
// and pools); 1 GiB on a GPU (CUDA context and allocator slack: an estimate, not measured here).
#include <cstdint>
#include <string>
#include <vector>

#include "ttrl/core/config.hpp"

namespace ttrl::train {

struct MemoryPlanOptions {
  int64_t processes = 1;   ///< N: processes sharing each step (--nproc)
  double device_bytes = 0; ///< memory of one device (--gpu-memory); 0: the host's available memory (CPU)
  bool gpu = false;        ///< plan for a GPU (dtype auto = bfloat16, the GPU runtime)
};

struct MemoryPart {
  std::string name;
  double bytes = 0;
  std::string phase;  ///< "always", "sampling" or "update"
  std::string note;
};

struct MemoryPlan {
  std::string model;              ///< e.g. "qwen2, 7.62B parameters, bfloat16"
  int64_t processes = 1;
  std::vector<MemoryPart> parts;
  double activations_checkpointed = 0;  ///< the activation part with model.gradient_checkpointing on
  double activations_full = 0;          ///< and off
  double peak = 0;                ///< per process
  double device_bytes = 0;        ///< 0: unknown
  bool fits = true;
  int64_t smallest_fitting = 0;   ///< smallest N (up to 4096) whose peak fits; 0 when none does
};

/// The plan of `config` (its model: model.path's config.json, or model.random). Throws ConfigError/IoError as
/// loading the model's config would.
MemoryPlan plan_memory(const RunConfig& config, const MemoryPlanOptions& options);

/// The plan as a table for people.
std::string format_plan(const MemoryPlan& plan);
/// The plan as JSON: {"model", "processes", "parts": [{"name", "bytes", "phase", "note"}], "peak_bytes", ...}.
std::string plan_json(const MemoryPlan& plan);

}  // namespace ttrl::train
